#include "connectors/kizen/timestamp.hpp"

#include <cstdio>

namespace ks::kizen {

namespace {

// Reads exactly n digits at s[pos..].
std::optional<int> digits(std::string_view s, std::size_t pos, std::size_t n) {
  if (pos + n > s.size()) return std::nullopt;
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

}  // namespace

std::optional<timestamp> parse_timestamp(std::string_view s) {
  using namespace std::chrono;
  const auto y = digits(s, 0, 4), mo = digits(s, 5, 2), d = digits(s, 8, 2);
  if (!y || !mo || !d || s[4] != '-' || s[7] != '-') return std::nullopt;
  const year_month_day ymd{year{*y}, month{static_cast<unsigned>(*mo)}, day{static_cast<unsigned>(*d)}};
  if (!ymd.ok()) return std::nullopt;
  timestamp t = time_point_cast<microseconds>(sys_days{ymd});
  if (s.size() == 10) return t;
  if (s[10] != 'T' && s[10] != 't' && s[10] != ' ') return std::nullopt;
  const auto h = digits(s, 11, 2), mi = digits(s, 14, 2);
  if (!h || !mi || s.size() < 16 || s[13] != ':' || *h > 23 || *mi > 59) return std::nullopt;
  t += hours{*h} + minutes{*mi};
  std::size_t pos = 16;
  if (pos < s.size() && s[pos] == ':') {
    const auto sec = digits(s, pos + 1, 2);
    if (!sec || *sec > 60) return std::nullopt;  // 60: a leap second, read as the next one
    t += seconds{*sec};
    pos += 3;
    if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
      ++pos;
      const std::size_t start = pos;
      long long micros = 0;
      int scale = 0;
      while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
        if (scale < 6) {
          micros = micros * 10 + (s[pos] - '0');
          ++scale;
        }
        ++pos;
      }
      if (pos == start) return std::nullopt;
      for (; scale < 6; ++scale) micros *= 10;
      t += microseconds{micros};
    }
  }
  if (pos == s.size()) return t;
  if ((s[pos] == 'Z' || s[pos] == 'z') && pos + 1 == s.size()) return t;
  if (s[pos] != '+' && s[pos] != '-') return std::nullopt;
  const int sign = s[pos] == '+' ? 1 : -1;
  const auto oh = digits(s, pos + 1, 2);
  if (!oh) return std::nullopt;
  std::optional<int> om;
  if (pos + 3 == s.size()) {
    om = 0;
  } else if (s.size() == pos + 6 && s[pos + 3] == ':') {
    om = digits(s, pos + 4, 2);
  } else if (s.size() == pos + 5) {
    om = digits(s, pos + 3, 2);
  }
  if (!om || *oh > 23 || *om > 59) return std::nullopt;
  // The local time minus its offset is UTC.
  t -= (hours{*oh} + minutes{*om}) * sign;
  return t;
}

std::string format_timestamp(timestamp t) {
  using namespace std::chrono;
  const auto ms = floor<milliseconds>(t);
  const auto day = floor<days>(ms);
  const year_month_day ymd{day};
  const hh_mm_ss<milliseconds> tod{ms - day};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(tod.hours().count()), static_cast<int>(tod.minutes().count()),
                static_cast<int>(tod.seconds().count()), static_cast<int>(tod.subseconds().count()));
  return buf;
}

}  // namespace ks::kizen
