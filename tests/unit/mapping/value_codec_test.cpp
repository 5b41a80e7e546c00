#include "daemon/engine/mapping/value_codec.hpp"

#include "tests/unit/bindings_fixture.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

using namespace ks::engine;
using namespace ks::engine::testing;
namespace json = boost::json;

namespace {

std::string convert(const field_binding& f, const char* column_json) {
  auto r = to_kizen_value(f, json::parse(column_json));
  return r ? json::serialize(*r) : "error: " + r.error();
}

}  // namespace

TEST(value_codec, text_and_null) {
  bound_contacts c;
  EXPECT_EQ(convert(c.field("first_name"), R"("Ada")"), R"("Ada")");
  EXPECT_EQ(convert(c.field("first_name"), R"("42")"), R"("42")");
  EXPECT_EQ(convert(c.field("first_name"), "null"), "null");
  EXPECT_EQ(convert(c.field("first_name"), "[1]"), "error: expected text, got [1]");
}

TEST(value_codec, integers_from_exact_text) {
  bound_contacts c;
  const auto& f = c.field("score");
  EXPECT_EQ(convert(f, R"("42")"), "42");
  EXPECT_EQ(convert(f, R"("-7")"), "-7");
  EXPECT_EQ(convert(f, R"("12.000")"), "12");
  EXPECT_EQ(convert(f, "9223372036854775807"), "9223372036854775807");
  EXPECT_EQ(convert(f, R"("12.5")"), R"(error: expected an integer, got "12.5")");
  EXPECT_EQ(convert(f, R"("99999999999999999999")"), R"(error: expected an integer, got "99999999999999999999")");
  EXPECT_EQ(convert(f, "true"), "error: expected an integer, got true");
}

TEST(value_codec, decimals_keep_every_digit) {
  bound_contacts c;
  const auto& f = c.field("ltv");
  EXPECT_EQ(convert(f, R"("12345678901234567890.12")"), R"("12345678901234567890.12")");
  EXPECT_EQ(convert(f, R"("+.5")"), R"("0.5")");
  EXPECT_EQ(convert(f, R"("-.5")"), R"("-0.5")");
  EXPECT_EQ(convert(f, R"("1e5")"), R"(error: expected a decimal number, got "1e5")");
}

TEST(value_codec, booleans_dates_datetimes) {
  bound_contacts c;
  EXPECT_EQ(convert(c.field("newsletter"), "true"), "true");
  EXPECT_EQ(convert(c.field("newsletter"), R"("yes")"), R"(error: expected a boolean, got "yes")");
  EXPECT_EQ(convert(c.field("birthday"), R"("1990-02-28")"), R"("1990-02-28")");
  EXPECT_EQ(convert(c.field("birthday"), R"("1990-02-30")"),
            R"(error: expected a date (YYYY-MM-DD), got "1990-02-30")");
  const auto& dt = c.field("last_contacted");
  EXPECT_EQ(convert(dt, R"("2024-03-01T10:15:30.123456+02:00")"), R"("2024-03-01T08:15:30.123Z")");
  EXPECT_EQ(convert(dt, R"("2024-03-01T00:30:00-05:30")"), R"("2024-03-01T06:00:00.000Z")");
  EXPECT_EQ(convert(dt, R"("2024-12-31T23:59:59.9999")"), R"("2024-12-31T23:59:59.999Z")");
  EXPECT_EQ(convert(dt, R"("2024-03-01T00:30:00+01")"), R"("2024-02-29T23:30:00.000Z")");
  EXPECT_EQ(convert(dt, R"("yesterday")").rfind("error: 'yesterday' is not a timestamp", 0), 0u);
}

TEST(value_codec, options_by_name_sent_by_id) {
  bound_contacts c;
  EXPECT_EQ(convert(c.field("stage"), R"("Customer")"), R"({"id":"b0000000-0000-4000-8000-000000000002"})");
  EXPECT_EQ(convert(c.field("stage"), R"("Prospect")"),
            "error: 'Prospect' is not an option of 'stage' (options: Lead, Customer)");
}

TEST(value_codec, multi_value_items_and_tags) {
  auto items = multi_value_items(json::parse(R"(["vip", "new", "vip", null, 7])"));
  ASSERT_TRUE(items);
  EXPECT_EQ(*items, (std::vector<std::string>{"vip", "new", "7"}));
  EXPECT_TRUE(multi_value_items(json::parse("null"))->empty());
  EXPECT_FALSE(multi_value_items(json::parse(R"("vip")")));
  bound_contacts c;
  EXPECT_EQ(json::serialize(*option_item(c.field("tags"), "vip")), R"({"id":"a0000000-0000-4000-8000-000000000001"})");
  EXPECT_EQ(json::serialize(*option_item(c.field("tags"), "brand-new")), R"({"name":"brand-new"})");
  EXPECT_FALSE(option_item(c.field("stage"), "brand-new"));  // fixed options cannot grow
}

TEST(value_codec, keys_as_postgres_renders_them) {
  EXPECT_EQ(*key_text(json::parse(R"("42")")), "42");
  EXPECT_EQ(*key_text(json::parse("42")), "42");
  EXPECT_EQ(*key_text(json::parse(R"("a-b")")), "a-b");
  EXPECT_FALSE(key_text(json::parse("true")));
  EXPECT_FALSE(key_text(json::parse("{}")));
}
