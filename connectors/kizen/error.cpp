#include "connectors/kizen/error.hpp"

#include <array>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <vector>

namespace ks::kizen {

const char* to_string(error_kind kind) {
  switch (kind) {
    case error_kind::network: return "network";
    case error_kind::timeout: return "timeout";
    case error_kind::tls: return "tls";
    case error_kind::http: return "http";
    case error_kind::protocol: return "protocol";
    case error_kind::cancelled: return "cancelled";
    case error_kind::invalid_request: return "invalid_request";
  }
  return "unknown";
}

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

std::optional<int> to_int(std::string_view s) {
  if (!all_digits(s) || s.size() > 9) return std::nullopt;
  int v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

std::optional<int> month_from_name(std::string_view m) {
  static constexpr std::array<std::string_view, 12> names = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i] == m) return static_cast<int>(i) + 1;
  return std::nullopt;
}

// "HH:MM:SS" -> seconds of the day.
std::optional<int> parse_clock(std::string_view s) {
  if (s.size() != 8 || s[2] != ':' || s[5] != ':') return std::nullopt;
  const auto h = to_int(s.substr(0, 2)), m = to_int(s.substr(3, 2)), sec = to_int(s.substr(6, 2));
  if (!h || !m || !sec || *h > 23 || *m > 59 || *sec > 60) return std::nullopt;
  return *h * 3600 + *m * 60 + *sec;
}

std::optional<std::chrono::sys_seconds> make_time(int year, int month, int day, int seconds_of_day) {
  using namespace std::chrono;
  const year_month_day ymd{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
                           std::chrono::day{static_cast<unsigned>(day)}};
  if (!ymd.ok()) return std::nullopt;
  return sys_days{ymd} + seconds{seconds_of_day};
}

std::vector<std::string_view> split_spaces(std::string_view s) {
  std::vector<std::string_view> parts;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    const std::size_t start = i;
    while (i < s.size() && s[i] != ' ') ++i;
    if (i > start) parts.push_back(s.substr(start, i - start));
  }
  return parts;
}

}  // namespace

std::optional<std::chrono::sys_seconds> parse_http_date(std::string_view text) {
  const auto parts = split_spaces(trim(text));
  // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"
  if (parts.size() == 6 && parts[0].size() == 4 && parts[0].back() == ',' && parts[5] == "GMT") {
    const auto day = to_int(parts[1]);
    const auto month = month_from_name(parts[2]);
    const auto year = parts[3].size() == 4 ? to_int(parts[3]) : std::nullopt;
    const auto clock = parse_clock(parts[4]);
    if (day && month && year && clock && parts[1].size() == 2) return make_time(*year, *month, *day, *clock);
    return std::nullopt;
  }
  // RFC 850: "Sunday, 06-Nov-94 08:49:37 GMT"
  if (parts.size() == 4 && parts[0].size() > 1 && parts[0].back() == ',' && parts[3] == "GMT") {
    const auto d = parts[1];
    if (d.size() != 9 || d[2] != '-' || d[6] != '-') return std::nullopt;
    const auto day = to_int(d.substr(0, 2));
    const auto month = month_from_name(d.substr(3, 3));
    const auto yy = to_int(d.substr(7, 2));
    const auto clock = parse_clock(parts[2]);
    if (!day || !month || !yy || !clock) return std::nullopt;
    // RFC 9110: a two-digit year more than 50 years in the future is in the past century.
    const int year = *yy < 70 ? 2000 + *yy : 1900 + *yy;
    return make_time(year, *month, *day, *clock);
  }
  // asctime: "Sun Nov  6 08:49:37 1994"
  if (parts.size() == 5 && parts[0].size() == 3) {
    const auto month = month_from_name(parts[1]);
    const auto day = parts[2].size() <= 2 ? to_int(parts[2]) : std::nullopt;
    const auto clock = parse_clock(parts[3]);
    const auto year = parts[4].size() == 4 ? to_int(parts[4]) : std::nullopt;
    if (month && day && clock && year) return make_time(*year, *month, *day, *clock);
  }
  return std::nullopt;
}

std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view header,
                                                           std::chrono::system_clock::time_point now) {
  using namespace std::chrono;
  const auto value = trim(header);
  if (value.empty()) return std::nullopt;
  if (all_digits(value)) {
    std::uint64_t seconds = 0;
    const auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
    const auto max_seconds = static_cast<std::uint64_t>(duration_cast<std::chrono::seconds>(max_retry_after).count());
    if (ec == std::errc::result_out_of_range || seconds > max_seconds) return max_retry_after;
    if (ec != std::errc() || ptr != value.data() + value.size()) return std::nullopt;
    return duration_cast<milliseconds>(std::chrono::seconds(seconds));
  }
  const auto when = parse_http_date(value);
  if (!when) return std::nullopt;
  // Compare in seconds: a date centuries away does not fit system_clock's nanoseconds.
  const auto now_ms = time_point_cast<milliseconds>(now);
  const auto when_ms = time_point_cast<milliseconds>(*when);
  if (when_ms <= now_ms) return milliseconds(0);
  const auto delta = when_ms - now_ms;
  return delta > max_retry_after ? max_retry_after : delta;
}

error http_error(int status, std::string_view what, std::string_view server_message,
                 std::optional<std::chrono::milliseconds> retry_after) {
  error e;
  e.kind = error_kind::http;
  e.http_status = status;
  e.throttled = status == 429;
  e.retryable = e.throttled || (status >= 500 && status <= 599);
  e.retry_after = retry_after;
  e.message = "HTTP " + std::to_string(status) + " on " + std::string(what);
  if (status == 401 || status == 403) e.message += " (check api_key, business_id and user_id)";
  if (!server_message.empty()) {
    e.message += ": ";
    e.message += server_message;
  }
  return e;
}

error protocol_error(int status, std::string_view what, std::string_view problem) {
  error e;
  e.kind = error_kind::protocol;
  e.http_status = status;
  e.retryable = false;
  e.message = "unusable response to " + std::string(what) + ": " + std::string(problem);
  return e;
}

error invalid_request(std::string_view what, std::string_view problem) {
  error e;
  e.kind = error_kind::invalid_request;
  e.retryable = false;
  e.message = std::string(what) + ": " + std::string(problem);
  return e;
}

}  // namespace ks::kizen
