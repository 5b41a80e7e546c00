#include "faults.hpp"

#include <boost/json.hpp>
#include <cmath>

namespace kizen_emulator {

namespace json = boost::json;

json::object fault_settings::to_json() const {
  return json::object{{"fail_rate", fail_rate},
                      {"rate_limit", rate_limit},
                      {"latency_ms", latency_ms},
                      {"reset_rate", reset_rate},
                      {"drop_response_rate", drop_response_rate},
                      {"search_lag_ms", search_lag_ms}};
}

ks::result<fault_settings, std::string> fault_settings::merged(const json::object& body) const {
  fault_settings out = *this;
  for (const auto& [key_view, v] : body) {
    std::string key(key_view);
    for (auto& c : key)
      if (c == '-') c = '_';
    auto rate = [&](double& slot) -> bool {
      if (!v.is_number()) return false;
      const double d = v.to_number<double>();
      if (!(d >= 0 && d <= 1)) return false;
      slot = d;
      return true;
    };
    auto count = [&](std::uint32_t& slot) -> bool {
      if (!v.is_number()) return false;
      const double d = v.to_number<double>();
      if (!(d >= 0 && d <= 4e9) || std::floor(d) != d) return false;
      slot = static_cast<std::uint32_t>(d);
      return true;
    };
    bool ok;
    if (key == "fail_rate")
      ok = rate(out.fail_rate);
    else if (key == "reset_rate")
      ok = rate(out.reset_rate);
    else if (key == "drop_response_rate")
      ok = rate(out.drop_response_rate);
    else if (key == "rate_limit")
      ok = count(out.rate_limit);
    else if (key == "latency_ms")
      ok = count(out.latency_ms);
    else if (key == "search_lag_ms")
      ok = count(out.search_lag_ms);
    else if (key == "seed")
      ok = v.is_number();  // handled by the caller
    else
      return ks::fail("unknown fault \"" + std::string(key_view) + "\"");
    if (!ok)
      return ks::fail("bad value for \"" + std::string(key_view) + "\": " + json::serialize(v) +
                      (key.find("rate") != std::string::npos && key != "rate_limit"
                           ? " (expected a number from 0 to 1)"
                           : " (expected a non-negative integer)"));
  }
  return out;
}

fault_decision fault_injector::decide(std::chrono::steady_clock::time_point now, bool is_write) {
  fault_decision d;
  // Fixed number of draws per request, whatever the settings, keeps runs reproducible.
  const double fail = draw();
  const double which = draw();
  const double reset = draw();
  const double drop = draw();
  if (settings_.rate_limit > 0) {
    const auto horizon = now - std::chrono::seconds(1);
    while (!window_.empty() && window_.front() <= horizon) window_.pop_front();
    if (window_.size() >= settings_.rate_limit) {
      d.throttled = true;
      const auto wait = window_.front() + std::chrono::seconds(1) - now;
      const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(wait).count();
      d.retry_after_s = static_cast<int>(std::max<long long>(1, (ms + 999) / 1000));
      return d;
    }
    window_.push_back(now);
  }
  if (fail < settings_.fail_rate) {
    d.fail_status = which < 1.0 / 3 ? 500 : which < 2.0 / 3 ? 502 : 503;
    return d;
  }
  if (is_write && drop < settings_.drop_response_rate)
    d.drop = true;
  else if (reset < settings_.reset_rate)
    d.reset = true;
  return d;
}

}  // namespace kizen_emulator
