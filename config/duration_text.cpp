#include "config/duration_text.hpp"

#include <cstdint>

#include "config/config_loader.hpp"

namespace ks::config {

namespace {

constexpr std::string_view unit_list = "ms, s, m, h or d";

bool is_digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

ks::result<duration, std::string> parse_duration_text(std::string_view text) {
  if (text.empty())
    return ks::fail(std::string("is empty; expected a number and a unit (") + std::string(unit_list) + "), e.g. 15s");
  if (text.front() == '-') return ks::fail(std::string("must not be negative"));
  std::size_t i = 0;
  std::int64_t number = 0;
  bool too_big = false;
  while (i < text.size() && is_digit(text[i])) {
    if (number > 1'000'000'000'000'000)
      too_big = true;  // keep going to classify the rest
    else
      number = number * 10 + (text[i] - '0');
    ++i;
  }
  if (i == 0) {
    return ks::fail(std::string("must start with a whole number, e.g. 15s or 250ms"));
  }
  const std::string_view unit = text.substr(i);
  if (unit.empty()) {
    return ks::fail(std::string("is missing its unit (") + std::string(unit_list) + "), e.g. 15s or 250ms");
  }
  if (unit.front() == '.' || unit.front() == ',') {
    return ks::fail(std::string("must be a whole number of one unit (") + std::string(unit_list) +
                    "), e.g. 1500ms instead of 1.5s");
  }
  std::int64_t factor = 0;
  if (unit == "ms")
    factor = 1;
  else if (unit == "s")
    factor = 1000;
  else if (unit == "m")
    factor = 60 * 1000;
  else if (unit == "h")
    factor = 60 * 60 * 1000;
  else if (unit == "d")
    factor = 24 * 60 * 60 * 1000;
  else
    return ks::fail(std::string("has an unknown unit; use ") + std::string(unit_list));

  const std::int64_t limit = max_config_duration.count();
  if (too_big || number > limit / factor) {
    return ks::fail(std::string("is too large (at most 3650d)"));
  }
  return duration(number * factor);
}

std::optional<duration> parse_duration(std::string_view text) {
  auto r = parse_duration_text(text);
  if (!r) return std::nullopt;
  return *r;
}

}  // namespace ks::config
