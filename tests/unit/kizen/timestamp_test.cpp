#include "connectors/kizen/timestamp.hpp"

#include <gtest/gtest.h>

namespace ks::kizen {
namespace {

using namespace std::chrono;

timestamp at(int y, unsigned m, unsigned d, int h, int mi, int s, int us = 0) {
  return time_point_cast<microseconds>(sys_days{year{y} / month{m} / day{d}}) + hours{h} + minutes{mi} + seconds{s} +
         microseconds{us};
}

TEST(timestamp, parses_the_forms_kizen_and_iso_allow) {
  EXPECT_EQ(parse_timestamp("2024-12-31T06:00:00.000Z"), at(2024, 12, 31, 6, 0, 0));
  EXPECT_EQ(parse_timestamp("2024-12-31T06:00:00.123456Z"), at(2024, 12, 31, 6, 0, 0, 123456));
  EXPECT_EQ(parse_timestamp("2024-12-31T06:00:00.1234567891Z"), at(2024, 12, 31, 6, 0, 0, 123456));
  EXPECT_EQ(parse_timestamp("2024-12-31T06:00:00.5Z"), at(2024, 12, 31, 6, 0, 0, 500000));
  EXPECT_EQ(parse_timestamp("2024-12-31T06:00:00Z"), at(2024, 12, 31, 6, 0, 0));
  EXPECT_EQ(parse_timestamp("2024-12-31T06:00:00"), at(2024, 12, 31, 6, 0, 0));
  EXPECT_EQ(parse_timestamp("2024-12-31 06:00:00+00:00"), at(2024, 12, 31, 6, 0, 0));
  EXPECT_EQ(parse_timestamp("2024-12-31T08:30:00+02:30"), at(2024, 12, 31, 6, 0, 0));
  EXPECT_EQ(parse_timestamp("2024-12-31T01:00:00-0500"), at(2024, 12, 31, 6, 0, 0));
  EXPECT_EQ(parse_timestamp("2024-12-31T06:00Z"), at(2024, 12, 31, 6, 0, 0));
  EXPECT_EQ(parse_timestamp("2024-12-31"), at(2024, 12, 31, 0, 0, 0));
  EXPECT_EQ(parse_timestamp("2025-01-01T00:30:00+01"), at(2024, 12, 31, 23, 30, 0));
}

TEST(timestamp, refuses_what_is_not_a_timestamp) {
  for (const char* bad :
       {"", "2024", "2024-13-01", "2024-02-30", "2024-12-31T24:00:00Z", "2024-12-31T06:60:00Z", "2024-12-31T06:00:00.Z",
        "2024-12-31T06:00:00ZZ", "2024-12-31T06:00:00+2", "yesterday", "2024-12-31X06:00:00",
        "2024-12-31T06:00:00+24:00", "\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8\xf7\xf6"}) {
    EXPECT_EQ(parse_timestamp(bad), std::nullopt) << bad;
  }
}

TEST(timestamp, formats_utc_with_milliseconds) {
  EXPECT_EQ(format_timestamp(at(2024, 12, 31, 6, 0, 0)), "2024-12-31T06:00:00.000Z");
  EXPECT_EQ(format_timestamp(at(2024, 1, 2, 3, 4, 5, 678999)), "2024-01-02T03:04:05.678Z");
}

TEST(timestamp, format_then_parse_round_trips_milliseconds) {
  const auto t = at(2031, 7, 9, 23, 59, 58, 999000);
  EXPECT_EQ(parse_timestamp(format_timestamp(t)), t);
}

}  // namespace
}  // namespace ks::kizen
