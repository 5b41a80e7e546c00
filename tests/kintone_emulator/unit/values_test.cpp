// NUMBER normalisation, times, and field values on their way in.
#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "src/decimal.hpp"
#include "src/time_format.hpp"
#include "src/value_codec.hpp"
#include "unit_support.hpp"

namespace kintone_emulator {
namespace {

namespace json = boost::json;

TEST(kintone_number, normalises_like_kintone_on_save) {
  EXPECT_EQ(normalise_number("1.5e1"), "15");
  EXPECT_EQ(normalise_number(" 42 "), "42");
  EXPECT_EQ(normalise_number("3"), "3");
  EXPECT_EQ(normalise_number("+007.500"), "7.5");
  EXPECT_EQ(normalise_number("-0.000"), "0");
  EXPECT_EQ(normalise_number("-12.30"), "-12.3");
  EXPECT_EQ(normalise_number("1.25E-3"), "0.00125");
  EXPECT_EQ(normalise_number(".5"), "0.5");
  EXPECT_EQ(normalise_number("5."), "5");
  EXPECT_EQ(normalise_number("123456789012345678901234567890"), "123456789012345678901234567890");
}

TEST(kintone_number, refuses_what_is_not_a_number) {
  for (const char* bad : {"", " ", "abc", "12abc", "1,000", "0x10", "1e", "--1", ".", "e5", "1.2.3", "Infinity"})
    EXPECT_FALSE(normalise_number(bad)) << bad;
  EXPECT_FALSE(normalise_number("1e200"));  // beyond 100 digits
}

TEST(kintone_number, compares_numerically) {
  EXPECT_LT(compare_numbers("9", "10"), 0);
  EXPECT_GT(compare_numbers("10", "9.99"), 0);
  EXPECT_LT(compare_numbers("-10", "-9"), 0);
  EXPECT_LT(compare_numbers("-1", "0"), 0);
  EXPECT_EQ(compare_numbers("1.5", "1.5"), 0);
  EXPECT_LT(compare_numbers("1.05", "1.5"), 0);
  EXPECT_GT(compare_numbers("0.1", "-0.1"), 0);
}

TEST(kintone_times, truncate_to_the_minute) {
  const auto t = *parse_datetime("2025-03-04T05:06:59.999Z");
  EXPECT_EQ(format_datetime(truncate_to_minute(t)), "2025-03-04T05:06:00Z");
  EXPECT_EQ(truncate_to_minute(-1), -60'000);
  EXPECT_EQ(format_datetime(*parse_datetime("1969-12-31T23:59:30Z")), "1969-12-31T23:59:30Z");
}

TEST(kintone_times, parse_zones_and_refuse_naive_times) {
  EXPECT_EQ(parse_datetime("2025-01-01T09:00:00+09:00"), parse_datetime("2025-01-01T00:00:00Z"));
  EXPECT_EQ(parse_datetime("2025-01-01T09:00+0900"), parse_datetime("2025-01-01T00:00:00Z"));
  EXPECT_EQ(parse_datetime("2024-12-31T19:00:00-05:00"), parse_datetime("2025-01-01T00:00:00Z"));
  EXPECT_FALSE(parse_datetime("2025-01-01T00:00:00"));
  EXPECT_FALSE(parse_datetime("2025-02-30T00:00:00Z"));
  EXPECT_FALSE(parse_datetime("2025-01-01 00:00:00Z"));
  EXPECT_TRUE(is_valid_date("2024-02-29"));
  EXPECT_FALSE(is_valid_date("2023-02-29"));
  EXPECT_FALSE(is_valid_date("2023-2-3"));
  EXPECT_EQ(utc_day(*parse_datetime("2025-01-02T08:59:00+09:00")), utc_day(*parse_datetime("2025-01-01T00:00:00Z")));
  EXPECT_NE(utc_day(*parse_datetime("2025-01-02T09:00:00+09:00")), utc_day(*parse_datetime("2025-01-01T00:00:00Z")));
}

class kintone_values : public ::testing::Test {
 protected:
  ks::result<json::value, value_problem> write(const char* code, const json::value& v) {
    return normalise_value(*test::customers().field(code), v, test::default_schema());
  }
};

TEST_F(kintone_values, number_accepts_strings_and_json_numbers) {
  EXPECT_EQ(write("credit_limit", json::string("1.5e1")).value(), "15");
  EXPECT_EQ(write("credit_limit", json::value(12)).value(), "12");
  EXPECT_EQ(write("credit_limit", json::value(2.5)).value(), "2.5");
  EXPECT_EQ(write("credit_limit", nullptr).value(), "");
  EXPECT_EQ(write("credit_limit", json::string("")).value(), "");
  EXPECT_EQ(write("credit_limit", json::string("abc")).error().kind, value_problem::not_a_number);
  EXPECT_EQ(write("credit_limit", json::value(true)).error().kind, value_problem::bad_value);
}

TEST_F(kintone_values, selections_must_be_options) {
  EXPECT_EQ(write("tags", json::array{"vip", "partner", "vip"}).value(), (json::array{"vip", "partner"}));
  const auto bad = write("tags", json::array{"vip", "gold"});
  EXPECT_EQ(bad.error().kind, value_problem::not_an_option);
  EXPECT_EQ(bad.error().detail, "gold");
  EXPECT_EQ(write("tags", json::string("vip")).error().kind, value_problem::bad_value);
  EXPECT_EQ(write("status", json::string("active")).value(), "active");
  EXPECT_TRUE(write("status", json::string("")).value().is_null());
  EXPECT_EQ(write("status", json::string("Active")).error().kind, value_problem::not_an_option);
  EXPECT_EQ(write("tier", json::string("silver")).value(), "silver");
}

TEST_F(kintone_values, dates_datetimes_and_users) {
  EXPECT_EQ(write("birthday", json::string("1990-07-01")).value(), "1990-07-01");
  EXPECT_TRUE(write("birthday", json::string("")).value().is_null());
  EXPECT_EQ(write("birthday", json::string("1990/07/01")).error().kind, value_problem::bad_date);
  EXPECT_EQ(write("last_contact", json::string("2025-01-01T09:30:45+09:00")).value(), "2025-01-01T00:30:00Z");
  EXPECT_EQ(write("last_contact", nullptr).value(), "");
  EXPECT_EQ(write("last_contact", json::string("2025-01-01T09:30:45")).error().kind, value_problem::bad_datetime);
  EXPECT_EQ(write("owner", json::array{json::object{{"code", "sato"}}}).value(),
            (json::array{json::object{{"code", "sato"}, {"name", "Sato Hanako"}}}));
  const auto unknown = write("owner", json::array{json::object{{"code", "nobody"}}});
  EXPECT_EQ(unknown.error().kind, value_problem::unknown_user);
  EXPECT_EQ(write("attachments", json::array{}).value(), json::array{});
  EXPECT_EQ(write("attachments", json::array{json::object{{"fileKey", "x"}}}).error().kind, value_problem::bad_value);
  EXPECT_EQ(write("name", json::value(5)).error().kind, value_problem::bad_value);
}

}  // namespace
}  // namespace kintone_emulator
