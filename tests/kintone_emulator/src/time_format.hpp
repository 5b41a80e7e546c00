#pragma once
// Dates and datetimes as Kintone writes them: DATE "YYYY-MM-DD", DATETIME and the record times
// "YYYY-MM-DDTHH:MM:SSZ" in UTC. Times are held as milliseconds since the Unix epoch.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kintone_emulator {

// Days since 1970-01-01 for a proleptic Gregorian date.
std::int64_t days_from_civil(int y, unsigned m, unsigned d);

// "YYYY-MM-DD", a real calendar date (years 0001-9999).
bool is_valid_date(std::string_view text);

// "YYYY-MM-DDTHH:MM[:SS[.fraction]]" then "Z", "+HH:MM", "-HH:MM", "+HHMM" or "-HHMM". A zone is
// required: a time without one is ambiguous.
std::optional<std::int64_t> parse_datetime(std::string_view text);

// "YYYY-MM-DDTHH:MM:SSZ" (UTC, no fraction).
std::string format_datetime(std::int64_t epoch_ms);

// Floors to the minute: Kintone keeps record times and DATETIME values at minute precision.
constexpr std::int64_t truncate_to_minute(std::int64_t epoch_ms) {
  const std::int64_t minute = 60'000;
  return epoch_ms >= 0 ? epoch_ms - epoch_ms % minute : epoch_ms - ((epoch_ms % minute) + minute) % minute;
}

// The UTC day (days since the epoch). Kintone's daily counters reset at 09:00 JST = 00:00 UTC.
constexpr std::int64_t utc_day(std::int64_t epoch_ms) {
  const std::int64_t day = 86'400'000;
  return epoch_ms >= 0 ? epoch_ms / day : (epoch_ms - day + 1) / day;
}

std::string format_date(std::int64_t days_since_epoch);

}  // namespace kintone_emulator
