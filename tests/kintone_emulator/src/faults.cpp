#include "faults.hpp"

#include <boost/json.hpp>
#include <cmath>

namespace kintone_emulator {

namespace json = boost::json;

namespace {

constexpr std::pair<fault_kind, const char*> kind_names[] = {{fault_kind::latency, "latency"},
                                                             {fault_kind::reset, "reset"},
                                                             {fault_kind::error, "error"},
                                                             {fault_kind::drop_response, "drop_response"},
                                                             {fault_kind::db_lock, "db_lock"}};

const char* name_of(fault_kind k) {
  for (const auto& [kind, name] : kind_names)
    if (kind == k) return name;
  return "?";
}

}  // namespace

json::object fault_rule::to_json() const {
  json::object o{{"kind", name_of(kind)},
                 {"method", method},
                 {"path", path},
                 {"count", count ? json::value(*count) : json::value(nullptr)},
                 {"probability", probability},
                 {"applied", applied}};
  if (kind == fault_kind::latency) o["latency_ms"] = latency_ms;
  if (kind == fault_kind::error || kind == fault_kind::db_lock) {
    o["status"] = status;
    o["code"] = code;
  }
  return o;
}

ks::result<fault_rule, std::string> fault_rule::from_json(const json::value& v) {
  using F = ks::failure<std::string>;
  if (!v.is_object()) return F{"a rule is a JSON object"};
  fault_rule r;
  bool have_kind = false;
  for (const auto& [key, value] : v.get_object()) {
    if (key == "kind") {
      for (const auto& [kind, name] : kind_names)
        if (value.is_string() && value.get_string() == name) {
          r.kind = kind;
          have_kind = true;
        }
      if (!have_kind) return F{"kind: expected latency, reset, error, drop_response or db_lock"};
    } else if (key == "method" || key == "path" || key == "code") {
      if (!value.is_string()) return F{std::string(key) + ": expected a string"};
      (key == "method" ? r.method : key == "path" ? r.path : r.code) = std::string(value.get_string());
    } else if (key == "count") {
      if (!value.is_null() && (!value.is_int64() || value.get_int64() < 0))
        return F{"count: expected a non-negative integer"};
      if (!value.is_null()) r.count = value.get_int64();
    } else if (key == "probability") {
      const double p = value.is_number() ? value.to_number<double>() : -1;
      if (!(p >= 0 && p <= 1)) return F{"probability: expected a number from 0 to 1"};
      r.probability = p;
    } else if (key == "latency_ms") {
      if (!value.is_int64() || value.get_int64() < 0 || value.get_int64() > 3'600'000)
        return F{"latency_ms: expected milliseconds from 0 to 3600000"};
      r.latency_ms = static_cast<std::uint32_t>(value.get_int64());
    } else if (key == "status") {
      if (!value.is_int64() || value.get_int64() < 400 || value.get_int64() > 599)
        return F{"status: expected 400 to 599"};
      r.status = static_cast<int>(value.get_int64());
    } else {
      return F{"unknown key \"" + std::string(key) + "\""};
    }
  }
  if (!have_kind) return F{"kind is required"};
  if (r.kind == fault_kind::error && r.status == 0) r.status = 503;
  if (r.kind == fault_kind::db_lock) {
    if (r.status == 0) r.status = 400;
    if (r.code.empty()) r.code = "GAIA_RE18";
    if (r.code != "GAIA_RE18" && r.code != "GAIA_DA02") return F{"code: a db_lock is GAIA_RE18 or GAIA_DA02"};
  }
  return r;
}

std::string fault_plan::name() const {
  if (action) return name_of(action->kind);
  return latency_ms ? "latency" : "";
}

fault_plan fault_injector::decide(const std::string& method, const std::string& path) {
  fault_plan plan;
  for (auto& rule : rules_) {
    const double draw = std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
    if (!rule.method.empty() && rule.method != method) continue;
    if (!rule.path.empty() && rule.path != path) continue;
    if (rule.count && *rule.count == 0) continue;
    if (!(draw < rule.probability) && rule.probability < 1.0) continue;
    if (rule.kind != fault_kind::latency && plan.action) continue;  // the first action wins
    if (rule.count) --*rule.count;
    ++rule.applied;
    if (rule.kind == fault_kind::latency)
      plan.latency_ms += rule.latency_ms;
    else
      plan.action = rule;
  }
  return plan;
}

}  // namespace kintone_emulator
