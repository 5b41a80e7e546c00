#pragma once
// Dates and datetimes as the emulator reads and writes them: dates "YYYY-MM-DD", datetimes held
// as milliseconds since the Unix epoch (UTC) and rendered "YYYY-MM-DDTHH:MM:SS.sssZ".

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kizen_emulator {

// Days since 1970-01-01 for a proleptic Gregorian date.
std::int64_t days_from_civil(int y, unsigned m, unsigned d);

// "YYYY-MM-DD" with a real calendar date (years 0001-9999).
bool is_valid_date(std::string_view text);

// ISO-8601 datetime: "YYYY-MM-DDTHH:MM[:SS[.fraction]]" followed by "Z" or "+HH:MM"/"-HH:MM"
// (a space instead of "T" is accepted). A zone is required: a naive time is ambiguous. Fractions
// beyond milliseconds are truncated.
std::optional<std::int64_t> parse_datetime(std::string_view text);

std::string format_datetime(std::int64_t epoch_ms);

}  // namespace kizen_emulator
