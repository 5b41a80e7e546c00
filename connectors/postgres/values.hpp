#pragma once
// Timestamps as the stores exchange them: PostgreSQL's microsecond precision, carried as integers
// so DateStyle and TimeZone never matter.

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

}  // namespace ks::pg
