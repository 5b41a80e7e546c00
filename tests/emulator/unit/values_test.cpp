#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "src/schema.hpp"
#include "src/store.hpp"
#include "src/time_format.hpp"
#include "src/uuid.hpp"
#include "src/value_codec.hpp"

namespace kizen_emulator {
namespace {

namespace json = boost::json;

TEST(emulator_time_format, parses_zones_and_fractions_into_utc_milliseconds) {
  EXPECT_EQ(parse_datetime("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(parse_datetime("1970-01-01T00:00:00.5Z"), 500);
  EXPECT_EQ(parse_datetime("1970-01-01T00:00:00.123456Z"), 123);
  EXPECT_EQ(parse_datetime("1970-01-01T02:00:00+02:00"), 0);
  EXPECT_EQ(parse_datetime("1969-12-31T19:00:00-0500"), 0);
  EXPECT_EQ(parse_datetime("2024-02-29 12:30Z"), parse_datetime("2024-02-29T12:30:00.000Z"));
  for (const char* bad : {"2024-02-30T00:00:00Z", "2024-01-01T00:00:00", "2024-01-01", "2024-01-01T24:00:00Z",
                          "2024-01-01T00:00:00.Z", "2024-01-01T00:00:00Zjunk", ""})
    EXPECT_FALSE(parse_datetime(bad)) << bad;
}

TEST(emulator_time_format, formats_iso_with_milliseconds_and_z) {
  EXPECT_EQ(format_datetime(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format_datetime(1735628400123), "2024-12-31T07:00:00.123Z");
  EXPECT_EQ(format_datetime(-1), "1969-12-31T23:59:59.999Z");
  const auto ms = parse_datetime("2099-12-31T23:59:59.999Z");
  ASSERT_TRUE(ms);
  EXPECT_EQ(format_datetime(*ms), "2099-12-31T23:59:59.999Z");
}

TEST(emulator_time_format, validates_calendar_dates) {
  EXPECT_TRUE(is_valid_date("2024-02-29"));
  EXPECT_FALSE(is_valid_date("2023-02-29"));
  EXPECT_FALSE(is_valid_date("2023-13-01"));
  EXPECT_FALSE(is_valid_date("2023-1-01"));
}

TEST(emulator_uuids, pattern_and_generation) {
  EXPECT_TRUE(is_uuid("0B9C7F63-6d6f-4f4b-9d2e-0a0b0c0d0e0f"));
  EXPECT_FALSE(is_uuid("0b9c7f63-6d6f-4f4b-9d2e-0a0b0c0d0e0"));
  EXPECT_FALSE(is_uuid("0b9c7f63_6d6f-4f4b-9d2e-0a0b0c0d0e0f"));
  uuid_generator g;
  const auto a = g.next(), b = g.next();
  EXPECT_TRUE(is_uuid(a));
  EXPECT_NE(a, b);
  EXPECT_EQ(a[14], '4');
  EXPECT_EQ(derived_uuid("x", "y"), derived_uuid("x", "y"));
  EXPECT_NE(derived_uuid("x", "y"), derived_uuid("x", "z"));
}

TEST(emulator_decimals, canonical_form_keeps_scale_and_checks_places) {
  auto dec = [](json::value v, bool money = false) {
    auto r = canonical_decimal(v, money);
    return r ? r.value() : "error: " + r.error();
  };
  EXPECT_EQ(dec("12.50"), "12.50");
  EXPECT_EQ(dec("007.5"), "7.5");
  EXPECT_EQ(dec("-0.0"), "0.0");
  EXPECT_EQ(dec("+3"), "3");
  EXPECT_EQ(dec(0.1), "0.1");
  EXPECT_EQ(dec(42), "42");
  EXPECT_EQ(dec("12.5", true), "12.50");
  EXPECT_EQ(dec(7, true), "7.00");
  EXPECT_EQ(dec("1.234", true), "error: Ensure that there are no more than 2 decimal places.");
  EXPECT_EQ(dec("1.230", true), "1.23");
  EXPECT_EQ(dec("abc"), "error: A valid number is required.");
  EXPECT_EQ(dec("1."), "error: A valid number is required.");
  EXPECT_EQ(dec("1e5"), "error: A valid number is required.");
  EXPECT_EQ(dec(true), "error: A valid number is required.");
  EXPECT_EQ(dec("123456789012345678901"), "error: Ensure that there are no more than 20 digits in total.");
}

class emulator_write_values : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = load_schema_file(KIZEN_EMULATOR_DEFAULT_SCHEMA);
    ASSERT_TRUE(s) << s.error();
    schema_ = std::make_unique<schema>(std::move(s).value());
    store_ = std::make_unique<store>(*schema_);
  }
  std::string parse(std::string_view object, std::string_view field, json::value v) {
    const auto* o = schema_->object_by_name(object);
    const auto* f = o->field_by_name(field);
    auto r = parse_write_value(*store_, *o, *f, v);
    if (!r) return "error: " + r.error();
    return json::serialize(render_value(*store_, *o, *f, r.value()));
  }
  std::unique_ptr<schema> schema_;
  std::unique_ptr<store> store_;
};

TEST_F(emulator_write_values, each_type_accepts_its_shape_and_renders_its_read_format) {
  EXPECT_EQ(parse("client_client", "first_name", "Ada"), "\"Ada\"");
  EXPECT_EQ(parse("client_client", "first_name", ""), "null");  // blank
  EXPECT_EQ(parse("client_client", "email", "a@b.co"), "\"a@b.co\"");
  EXPECT_EQ(parse("client_client", "lead_score", 5), "5");
  EXPECT_EQ(parse("client_client", "lead_score", 5.0), "5");
  EXPECT_EQ(parse("client_client", "newsletter", true), "true");
  EXPECT_EQ(parse("client_client", "newsletter", nullptr), "false");  // a blank checkbox reads unchecked
  EXPECT_EQ(parse("client_client", "birthday", "2000-01-31"), "\"2000-01-31\"");
  EXPECT_EQ(parse("client_client", "last_contacted", "2024-01-01T01:00:00+01:00"), "\"2024-01-01T00:00:00.000Z\"");
  EXPECT_EQ(parse("client_client", "lifetime_value", "10"), "\"10.00\"");
  EXPECT_NE(parse("client_client", "stage", json::object{{"name", "Customer"}}).find("\"name\":\"Customer\""),
            std::string::npos);
}

TEST_F(emulator_write_values, wrong_shapes_are_rejected_with_drf_messages) {
  EXPECT_EQ(parse("client_client", "first_name", 1), "error: Not a valid string.");
  EXPECT_EQ(parse("client_client", "first_name", json::string(std::string(256, 'a'))),
            "error: Ensure this field has no more than 255 characters.");
  // 255 characters in 256 bytes: the limit counts characters.
  EXPECT_EQ(parse("client_client", "first_name", json::string(std::string(254, 'a') + "\xc3\xa9")),
            "\"" + std::string(254, 'a') + "\xc3\xa9\"");
  EXPECT_EQ(parse("client_client", "email", "a@b"), "error: Enter a valid email address.");
  EXPECT_EQ(parse("client_client", "email", "a b@c.de"), "error: Enter a valid email address.");
  EXPECT_EQ(parse("client_client", "lead_score", "5"), "error: A valid integer is required.");
  EXPECT_EQ(parse("client_client", "lead_score", 5.5), "error: A valid integer is required.");
  EXPECT_EQ(parse("client_client", "newsletter", 1), "error: Must be a valid boolean.");
  EXPECT_NE(parse("client_client", "birthday", "31/01/2000").find("Date has wrong format"), std::string::npos);
  EXPECT_NE(parse("client_client", "stage", json::object{{"name", "Nope"}}).find("not a valid choice"),
            std::string::npos);
  EXPECT_NE(parse("client_client", "stage", "Lead").find("Expected an object"), std::string::npos);
  EXPECT_NE(parse("client_client", "company", json::object{{"id", "0b9c7f63-6d6f-4f4b-9d2e-0a0b0c0d0e0f"}})
                .find("not a live companies record"),
            std::string::npos);
  EXPECT_NE(parse("client_client", "tags", json::array{}).find("add_values"), std::string::npos);
  EXPECT_EQ(parse("client_client", "created", "2024-01-01T00:00:00Z"), "error: This field is read-only.");
}

TEST(emulator_identity, normalisation_folds_case_and_spaces) {
  EXPECT_EQ(normalize_identity("  Acme \t  Corp "), "acme corp");
  EXPECT_EQ(normalize_identity("A@B.CO"), "a@b.co");
  EXPECT_EQ(normalize_identity("   "), "");
}

}  // namespace
}  // namespace kizen_emulator
