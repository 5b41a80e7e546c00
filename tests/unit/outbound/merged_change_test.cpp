#include "daemon/engine/outbound/merged_change.hpp"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

using namespace ks::engine;
using ks::pg::change_op;
using ks::pg::outbox_change;
namespace json = boost::json;

namespace {

outbox_change change(std::int64_t id, change_op op, std::vector<std::string> cols, const char* before,
                     const char* after, int attempts = 0) {
  outbox_change c;
  c.id = id;
  c.object = "client_client";
  c.key = "1";
  c.op = op;
  c.changed_columns = std::move(cols);
  if (before) c.old_row = json::parse(before).as_object();
  if (after) c.new_row = json::parse(after).as_object();
  c.created_at = std::chrono::system_clock::time_point(std::chrono::seconds(id));
  c.attempts = attempts;
  return c;
}

}  // namespace

TEST(change_merger, updates_merge_into_one_write_with_the_union_of_columns) {
  std::vector<outbox_change> cs = {
      change(1, change_op::update, {"email"}, R"({"id":"1","email":"a@x"})", R"({"id":"1","email":"b@x"})"),
      change(2, change_op::update, {"first_name"}, R"({"id":"1","email":"b@x","first_name":"A"})",
             R"({"id":"1","email":"b@x","first_name":"B"})", 3),
  };
  const auto m = merge_changes(cs);
  EXPECT_EQ(m.action, merged_change::kind::write);
  EXPECT_FALSE(m.began_with_insert);
  EXPECT_EQ(m.ids, (std::vector<std::int64_t>{1, 2}));
  EXPECT_EQ(m.changed_columns, (std::set<std::string>{"email", "first_name"}));
  EXPECT_EQ(m.before.at("email"), "a@x");    // before the first change
  EXPECT_EQ(m.after.at("first_name"), "B");  // after the last
  ASSERT_EQ(m.images.size(), 2u);            // every state in between, for retries
  EXPECT_EQ(m.images[0].at("email"), "b@x");
  EXPECT_EQ(m.images[1], m.after);
  EXPECT_EQ(m.attempts, 3);
  EXPECT_EQ(m.first_change_at, cs[0].created_at);
  EXPECT_EQ(m.last_change_at, cs[1].created_at);
}

TEST(change_merger, insert_then_update_is_a_create) {
  std::vector<outbox_change> cs = {
      change(5, change_op::insert, {"id", "email"}, nullptr, R"({"id":"1","email":"a@x"})"),
      change(6, change_op::update, {"email"}, R"({"id":"1","email":"a@x"})", R"({"id":"1","email":"c@x"})"),
  };
  const auto m = merge_changes(cs);
  EXPECT_EQ(m.action, merged_change::kind::write);
  EXPECT_TRUE(m.began_with_insert);
  EXPECT_TRUE(m.before.empty());
  EXPECT_EQ(m.after.at("email"), "c@x");
}

TEST(change_merger, a_delete_ends_the_segment) {
  std::vector<outbox_change> cs = {
      change(1, change_op::update, {"email"}, R"({"id":"1","email":"a@x"})", R"({"id":"1","email":"b@x"})"),
      change(2, change_op::remove, {}, R"({"id":"1","email":"b@x","kizen_id":"e1"})", nullptr),
      change(3, change_op::insert, {"id", "email"}, nullptr, R"({"id":"1","email":"n@x"})"),
  };
  const auto m = merge_changes(cs);
  EXPECT_EQ(m.action, merged_change::kind::archive);
  EXPECT_EQ(m.ids, (std::vector<std::int64_t>{1, 2}));  // the re-insert waits for the next round
  EXPECT_TRUE(m.after.empty());
  EXPECT_EQ(m.before.at("email"), "a@x");
  ASSERT_EQ(m.images.size(), 1u);  // the writes before the delete
  EXPECT_EQ(m.images[0].at("email"), "b@x");
}

TEST(change_merger, insert_then_delete_is_an_archive_of_a_row_that_began_new) {
  std::vector<outbox_change> cs = {
      change(1, change_op::insert, {"id"}, nullptr, R"({"id":"1"})"),
      change(2, change_op::remove, {}, R"({"id":"1","kizen_id":null})", nullptr),
  };
  const auto m = merge_changes(cs);
  EXPECT_EQ(m.action, merged_change::kind::archive);
  EXPECT_TRUE(m.began_with_insert);
  EXPECT_EQ(m.before.at("id"), "1");  // the deleted row's image, for its entity id if any
}

TEST(change_merger, empty_input_is_a_bug) { EXPECT_THROW(merge_changes({}), std::logic_error); }

TEST(change_merger, a_key_update_names_the_other_side_of_the_move) {
  // The old key: an update, then the delete the key update queued (it moved to key 7).
  auto moved_away = change(2, change_op::remove, {}, R"({"id":"1","email":"b@x"})", nullptr);
  moved_away.moved_key = "7";
  std::vector<outbox_change> old_key = {
      change(1, change_op::update, {"email"}, R"({"id":"1","email":"a@x"})", R"({"id":"1","email":"b@x"})"),
      moved_away};
  const auto gone = merge_changes(old_key);
  EXPECT_EQ(gone.action, merged_change::kind::archive);
  EXPECT_EQ(gone.moved_to, "7");
  EXPECT_FALSE(gone.moved_from);

  // The new key: the insert that arrived from key 1, and a later update.
  auto moved_here = change(3, change_op::insert, {"id", "email"}, nullptr, R"({"id":"7","email":"b@x"})");
  moved_here.moved_key = "1";
  std::vector<outbox_change> new_key = {
      moved_here, change(4, change_op::update, {"email"}, R"({"id":"7","email":"b@x"})", R"({"id":"7","email":"c@x"})")};
  const auto arrived = merge_changes(new_key);
  EXPECT_EQ(arrived.action, merged_change::kind::write);
  EXPECT_TRUE(arrived.began_with_insert);
  EXPECT_EQ(arrived.moved_from, "1");
  EXPECT_FALSE(arrived.moved_to);

  // A plain delete and a plain insert are no move.
  std::vector<outbox_change> plain = {change(5, change_op::remove, {}, R"({"id":"1"})", nullptr)};
  EXPECT_FALSE(merge_changes(plain).moved_to);
}
