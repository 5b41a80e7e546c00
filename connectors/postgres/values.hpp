#pragma once
// Value types shared by the stores: timestamps with PostgreSQL's microsecond precision, and the
// check that a string is a UUID before it reaches SQL (a malformed one would abort the caller's
// transaction instead of producing a clear error).

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace ks::pg {

// A timestamptz, exactly (PostgreSQL keeps microseconds).
using timestamp = std::chrono::sys_time<std::chrono::microseconds>;

// SQL that turns a bigint parameter of microseconds since the Unix epoch into a timestamptz,
// and back; used instead of text so DateStyle and TimeZone never matter.
inline std::string timestamp_from_micros_sql(std::string_view param) {
  return "('epoch'::timestamptz + (" + std::string(param) + ")::bigint * interval '1 microsecond')";
}
inline std::string micros_from_timestamp_sql(std::string_view column) {
  return "(extract(epoch from " + std::string(column) + ") * 1000000)::bigint";
}

inline std::int64_t to_micros(timestamp t) { return t.time_since_epoch().count(); }
inline timestamp from_micros(std::int64_t us) { return timestamp(std::chrono::microseconds(us)); }

// 8-4-4-4-12 hexadecimal digits, either case.
bool is_uuid(std::string_view text);

// Lower-case form of a UUID (PostgreSQL prints them lower-case; comparisons need one form).
std::string normalize_uuid(std::string_view text);

}  // namespace ks::pg
