#include "limits.hpp"

#include <boost/json.hpp>

#include "time_format.hpp"

namespace kintone_emulator {

namespace json = boost::json;

bool request_limits::enter() {
  if (running_ >= concurrency_limit_) {
    ++refused_;
    return false;
  }
  ++running_;
  if (running_ > peak_) peak_ = running_;
  return true;
}

void request_limits::leave() {
  if (running_ > 0) --running_;
}

void request_limits::count(std::int64_t app, std::int64_t now_ms) {
  auto& d = days_[app];
  const auto day = utc_day(now_ms);
  if (d.day != day) d = {day, 0};
  ++d.count;
}

std::int64_t request_limits::today(std::int64_t app, std::int64_t now_ms) const {
  const auto it = days_.find(app);
  return it == days_.end() || it->second.day != utc_day(now_ms) ? 0 : it->second.count;
}

json::object request_limits::to_json(std::int64_t now_ms) const {
  json::object apps;
  for (const auto& [app, d] : days_) {
    const auto n = today(app, now_ms);
    apps[std::to_string(app)] = json::object{{"requests_today", n},
                                             {"daily_limit", daily_limit_},
                                             {"over_limit", n > daily_limit_},
                                             {"day", format_date(utc_day(now_ms))}};
  }
  return json::object{
      {"concurrency",
       json::object{{"limit", concurrency_limit_}, {"running", running_}, {"peak", peak_}, {"refused", refused_}}},
      {"apps", std::move(apps)}};
}

}  // namespace kintone_emulator
