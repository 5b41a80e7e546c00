#include "connectors/postgres/capture_trigger.hpp"
#include "tests/support/table_mappings.hpp"

#include <gtest/gtest.h>

namespace ks::pg {
namespace {

using config::sync_direction;

config::field_mapping field(std::string column, std::string name, sync_direction direction = sync_direction::both) {
  config::field_mapping f;
  f.column = std::move(column);
  f.field = std::move(name);
  f.direction = direction;
  return f;
}

config::object_mapping contacts() {
  config::object_mapping m;
  m.object = "client_client";
  m.table = "customers";
  m.key = "id";
  m.entity_id_column = "kizen_id";
  m.lookup = "email";
  m.fields = {field("email", "email"), field("first_name", "first_name"),
              field("score", "lead_score", sync_direction::from_kizen),
              field("stage", "stage", sync_direction::to_kizen)};
  return m;
}

TEST(pg_capture_trigger, captures_key_lookup_and_columns_flowing_to_kizen_in_order) {
  EXPECT_EQ(captured_columns(ks::test::table(contacts())),
            (std::vector<std::string>{"id", "email", "first_name", "stage"}));
}

TEST(pg_capture_trigger, lookup_outside_the_fields_is_still_captured_once) {
  auto m = contacts();
  m.lookup = "login";
  m.fields.push_back(field("id", "external_id"));
  EXPECT_EQ(captured_columns(ks::test::table(m)),
            (std::vector<std::string>{"id", "login", "email", "first_name", "stage"}));
}

TEST(pg_capture_trigger, objects_from_kizen_get_no_trigger) {
  auto m = contacts();
  m.direction = sync_direction::from_kizen;
  EXPECT_TRUE(captured_columns(ks::test::table(m)).empty());
  EXPECT_FALSE(capture_trigger::for_object("kizen_sync", ks::test::table(m)).has_value());
}

TEST(pg_capture_trigger, arguments_carry_object_key_entity_column_and_captured_columns) {
  const auto t = capture_trigger::for_object("kizen_sync", ks::test::table(contacts()));
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->arguments(),
            (std::vector<std::string>{"client_client", "id", "kizen_id", "id", "email", "first_name", "stage"}));
  auto no_entity = contacts();
  no_entity.entity_id_column.reset();
  EXPECT_EQ(capture_trigger::for_object("kizen_sync", ks::test::table(no_entity))->arguments()[2], "");
}

TEST(pg_capture_trigger, trigger_names_are_short_stable_and_distinct) {
  const auto a = capture_trigger_name("kizen_sync", "client_client");
  EXPECT_EQ(a, capture_trigger_name("kizen_sync", "client_client"));
  EXPECT_EQ(a.rfind("ks_capture_client_client_", 0), 0u) << a;
  EXPECT_NE(a, capture_trigger_name("other_sync", "client_client"));

  const std::string long_a(80, 'x');
  const std::string long_b = std::string(79, 'x') + "y";
  const auto la = capture_trigger_name("kizen_sync", long_a);
  const auto lb = capture_trigger_name("kizen_sync", long_b);
  EXPECT_LE(la.size(), 63u);
  EXPECT_LE(lb.size(), 63u);
  EXPECT_NE(la, lb);
  EXPECT_LE(capture_trigger_name("s", "Deals Ünïcode \"object\"").size(), 63u);
}

TEST(pg_notify_channel, default_schema_channel) {
  EXPECT_EQ(notify_channel("kizen_sync"), "kizen_sync_changes");
  EXPECT_EQ(notify_channel("Sync Schema"), "Sync Schema_changes");
}

TEST(pg_notify_channel, long_schemas_fit_in_63_bytes_and_stay_distinct) {
  const std::string a(63, 'a');
  const std::string b = std::string(62, 'a') + "b";
  EXPECT_LE(notify_channel(a).size(), 63u);
  EXPECT_LE(notify_channel(b).size(), 63u);
  EXPECT_NE(notify_channel(a), notify_channel(b));
  EXPECT_EQ(notify_channel(a), notify_channel(a));
}

TEST(pg_notify_channel, shortening_never_splits_a_utf8_character) {
  std::string schema;
  for (int i = 0; i < 30; ++i) schema += "\xc3\xa9";  // é, 2 bytes each: 60 bytes
  const auto channel = notify_channel(schema);
  EXPECT_LE(channel.size(), 63u);
  // The kept prefix is whole characters: an even number of bytes before "_<hash>_changes".
  const auto prefix = channel.substr(0, channel.size() - std::string("_12345678_changes").size());
  EXPECT_EQ(prefix.size() % 2, 0u);
  EXPECT_EQ(schema.rfind(prefix, 0), 0u);
}

}  // namespace
}  // namespace ks::pg
