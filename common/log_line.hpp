#pragma once
// Structured logging: every log line is one JSON object. Loggers use json_log_pattern, which
// supplies ts/level/logger; callers pass the rest through log_line:
//
//   logger->info(ks::log_line("change applied", {{"object", obj}, {"key", key}, {"op", "update"}}));
//
// Connectors receive a logger; only daemon/ decides where lines go (DESIGN.md "Conventions").

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_from.hpp>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace ks {

// spdlog pattern producing {"ts":...,"level":...,"logger":...,<log_line body>} in UTC.
inline constexpr const char* json_log_pattern = R"({"ts":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","logger":"%n",%v})";

struct log_field {
  // Any value boost::json::value_from accepts: strings, numbers, bools, containers, json values.
  template <class T>
  log_field(std::string_view k, T&& v) : key(k), value(boost::json::value_from(std::forward<T>(v))) {}

  std::string_view key;
  boost::json::value value;
};

// The body of a JSON log line: "msg":"...","key":value,... (no braces; the pattern adds them).
inline std::string log_line(std::string_view msg, std::initializer_list<log_field> fields = {}) {
  std::string out = "\"msg\":";
  out += boost::json::serialize(boost::json::value(msg));
  for (const auto& f : fields) {
    out += ',';
    out += boost::json::serialize(boost::json::value(f.key));
    out += ':';
    out += boost::json::serialize(f.value);
  }
  return out;
}

}  // namespace ks
