#include "tests/support/emulator_control.hpp"

#include "tests/support/emulator_process.hpp"

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <stdexcept>

namespace ks::test {

namespace json = boost::json;

namespace {

const json::value& null_value() {
  static const json::value v;
  return v;
}

std::string string_or_empty(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

std::optional<std::string> scalar_text(const json::value& v) {
  if (v.is_string()) return std::string(v.get_string());
  if (v.is_int64()) return std::to_string(v.get_int64());
  if (v.is_uint64()) return std::to_string(v.get_uint64());
  if (v.is_double()) return json::serialize(v);
  if (v.is_bool()) return v.get_bool() ? "true" : "false";
  return std::nullopt;
}

// The segments of a path: "/api/records/x/y" -> {"api", "records", "x", "y"}.
std::vector<std::string> segments(std::string_view path) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < path.size()) {
    while (i < path.size() && path[i] == '/') ++i;
    const auto end = path.find('/', i);
    const auto stop = end == std::string_view::npos ? path.size() : end;
    if (stop > i) out.emplace_back(path.substr(i, stop - i));
    i = stop;
  }
  return out;
}

[[noreturn]] void fail(std::string_view call, const http_reply& reply) {
  throw std::runtime_error("kizen-emulator " + std::string(call) + " answered " + std::to_string(reply.status) + ": " +
                           reply.body);
}

}  // namespace

// --- emulator_record ---------------------------------------------------------------------------

const json::value& emulator_record::field(std::string_view name) const {
  const auto* v = fields.if_contains(name);
  return v ? *v : null_value();
}

std::optional<std::string> emulator_record::text(std::string_view name) const { return scalar_text(field(name)); }

std::optional<std::int64_t> emulator_record::integer(std::string_view name) const {
  const auto& v = field(name);
  if (v.is_int64()) return v.get_int64();
  if (v.is_uint64()) return static_cast<std::int64_t>(v.get_uint64());
  if (v.is_double()) return static_cast<std::int64_t>(v.get_double());
  return std::nullopt;
}

std::vector<std::string> emulator_record::names(std::string_view name) const {
  std::vector<std::string> out;
  const auto& v = field(name);
  if (v.is_array())
    for (const auto& item : v.get_array())
      if (auto t = scalar_text(item)) out.push_back(*t);
  std::sort(out.begin(), out.end());
  return out;
}

// --- emulator_state ----------------------------------------------------------------------------

const std::vector<emulator_record>& emulator_state::records(std::string_view object) const {
  static const std::vector<emulator_record> none;
  const auto it = objects.find(object);
  return it == objects.end() ? none : it->second;
}

std::vector<const emulator_record*> emulator_state::live(std::string_view object) const {
  std::vector<const emulator_record*> out;
  for (const auto& r : records(object))
    if (!r.archived) out.push_back(&r);
  return out;
}

const emulator_record* emulator_state::find(std::string_view id) const {
  for (const auto& [object, list] : objects)
    for (const auto& r : list)
      if (r.id == id) return &r;
  return nullptr;
}

std::vector<const emulator_record*> emulator_state::live_where(std::string_view object, std::string_view field,
                                                               std::string_view value) const {
  std::vector<const emulator_record*> out;
  for (const auto* r : live(object))
    if (r->text(field) == std::optional<std::string>(std::string(value))) out.push_back(r);
  return out;
}

std::vector<std::string> emulator_state::tags(std::string_view object, std::string_view field) const {
  std::vector<std::string> out;
  const auto* all = raw.if_contains("tags");
  if (!all || !all->is_object()) return out;
  const auto* list = all->get_object().if_contains(std::string(object) + "." + std::string(field));
  if (!list || !list->is_array()) return out;
  for (const auto& t : list->get_array())
    if (t.is_object()) out.push_back(string_or_empty(t.get_object(), "name"));
  return out;
}

// --- logged_request / request_log --------------------------------------------------------------

std::optional<std::string> logged_request::object() const {
  const auto s = segments(path);
  if (s.size() >= 3 && s[0] == "api" && s[1] == "records") return s[2];
  return std::nullopt;
}

std::optional<std::string> logged_request::entity_id() const {
  if (path_template != record_path && path_template.find("/unarchive") == std::string::npos) return std::nullopt;
  const auto s = segments(path);
  if (s.size() >= 4) return s[3];
  return std::nullopt;
}

bool logged_request::applied() const {
  if (fault && (*fault == "fail" || *fault == "throttle")) return false;
  return status >= 200 && status < 300;
}

std::map<std::string, json::object> logged_request::field_writes() const {
  std::map<std::string, json::object> out;
  if (!body.is_object()) return out;
  const auto* fields = body.get_object().if_contains("fields");
  if (!fields || !fields->is_array()) return out;
  for (const auto& f : fields->get_array()) {
    if (!f.is_object()) continue;
    auto name = string_or_empty(f.get_object(), "name");
    if (name.empty()) name = string_or_empty(f.get_object(), "id");
    out[name] = f.get_object();
  }
  return out;
}

std::vector<const logged_request*> request_log::matching(std::string_view method,
                                                         std::string_view path_template) const {
  std::vector<const logged_request*> out;
  for (const auto& r : requests)
    if ((method.empty() || r.method == method) && (path_template.empty() || r.path_template == path_template))
      out.push_back(&r);
  return out;
}

// --- emulator_control --------------------------------------------------------------------------

emulator_control::emulator_control(std::string base_url, std::string api_key, std::string business_id,
                                   std::string user_id)
    : base_url_(std::move(base_url)),
      api_key_(std::move(api_key)),
      business_id_(std::move(business_id)),
      user_id_(std::move(user_id)) {}

emulator_control::emulator_control(const emulator_process& emulator)
    : emulator_control(emulator.base_url(), emulator.options().api_key, emulator.options().business_id,
                       emulator.options().user_id) {}

http_reply emulator_control::control(std::string_view method, std::string_view target, std::string_view body) const {
  return http_call(base_url_, method, target, body, {}, std::chrono::seconds(60));
}

emulator_state emulator_control::state() const {
  const auto reply = control("GET", "/__emulator/state");
  if (reply.status != 200) fail("GET /__emulator/state", reply);
  emulator_state out;
  auto v = reply.json();
  if (!v.is_object()) fail("GET /__emulator/state", reply);
  out.raw = std::move(v.as_object());
  if (const auto* objects = out.raw.if_contains("objects"); objects && objects->is_object()) {
    for (const auto& [name, list] : objects->get_object()) {
      auto& records = out.objects[std::string(name)];
      if (!list.is_array()) continue;
      for (const auto& item : list.get_array()) {
        if (!item.is_object()) continue;
        const auto& o = item.get_object();
        emulator_record r;
        r.id = string_or_empty(o, "id");
        if (const auto* a = o.if_contains("archived"); a && a->is_bool()) r.archived = a->get_bool();
        r.created = string_or_empty(o, "created");
        r.updated = string_or_empty(o, "updated");
        r.name = string_or_empty(o, "name");
        if (const auto* f = o.if_contains("fields"); f && f->is_object()) r.fields = f->get_object();
        records.push_back(std::move(r));
      }
    }
  }
  return out;
}

request_log emulator_control::requests(std::int64_t since) const {
  const std::string target = since > 0 ? "/__emulator/requests?since=" + std::to_string(since) : "/__emulator/requests";
  const auto reply = control("GET", target);
  if (reply.status != 200) fail("GET /__emulator/requests", reply);
  const auto v = reply.json();
  if (!v.is_object()) fail("GET /__emulator/requests", reply);
  const auto& o = v.get_object();
  request_log out;
  if (const auto* t = o.if_contains("total"); t && t->is_number()) out.total = t->to_number<std::int64_t>();
  if (const auto* list = o.if_contains("requests"); list && list->is_array()) {
    for (const auto& item : list->get_array()) {
      if (!item.is_object()) continue;
      const auto& e = item.get_object();
      logged_request r;
      if (const auto* s = e.if_contains("seq"); s && s->is_number()) r.seq = s->to_number<std::int64_t>();
      r.method = string_or_empty(e, "method");
      r.path = string_or_empty(e, "path");
      if (const auto q = r.path.find('?'); q != std::string::npos) r.path.resize(q);
      r.path_template = string_or_empty(e, "path_template");
      if (const auto* q = e.if_contains("query"); q && q->is_object())
        for (const auto& [k, qv] : q->get_object())
          r.query[std::string(k)] = scalar_text(qv).value_or(json::serialize(qv));
      if (const auto* b = e.if_contains("body")) r.body = *b;
      if (const auto* s = e.if_contains("status"); s && s->is_number()) r.status = s->to_number<int>();
      if (const auto* f = e.if_contains("fault"); f && f->is_string()) r.fault = std::string(f->get_string());
      r.at = string_or_empty(e, "at");
      out.requests.push_back(std::move(r));
    }
  }
  if (const auto* counts = o.if_contains("counts"); counts && counts->is_object())
    for (const auto& [k, n] : counts->get_object())
      if (n.is_number()) out.counts[std::string(k)] = n.to_number<std::int64_t>();
  return out;
}

void emulator_control::clear_requests() const {
  const auto reply = control("DELETE", "/__emulator/requests");
  if (reply.status != 204 && reply.status != 200) fail("DELETE /__emulator/requests", reply);
}

fault_settings emulator_control::faults() const {
  const auto reply = control("GET", "/__emulator/faults");
  if (reply.status != 200) fail("GET /__emulator/faults", reply);
  const auto v = reply.json();
  if (!v.is_object()) fail("GET /__emulator/faults", reply);
  const auto& o = v.get_object();
  fault_settings out;
  auto number = [&](std::string_view key) -> const json::value* {
    const auto* x = o.if_contains(key);
    return x && x->is_number() ? x : nullptr;
  };
  if (const auto* x = number("fail_rate")) out.fail_rate = x->to_number<double>();
  if (const auto* x = number("rate_limit")) out.rate_limit = x->to_number<int>();
  if (const auto* x = number("latency_ms")) out.latency_ms = x->to_number<int>();
  if (const auto* x = number("reset_rate")) out.reset_rate = x->to_number<double>();
  if (const auto* x = number("drop_response_rate")) out.drop_response_rate = x->to_number<double>();
  if (const auto* x = number("search_lag_ms")) out.search_lag_ms = x->to_number<int>();
  if (const auto* x = number("seed")) out.seed = x->to_number<std::uint64_t>();
  return out;
}

void emulator_control::set_faults(const fault_settings& f) const {
  json::object body;
  if (f.fail_rate) body["fail_rate"] = *f.fail_rate;
  if (f.rate_limit) body["rate_limit"] = *f.rate_limit;
  if (f.latency_ms) body["latency_ms"] = *f.latency_ms;
  if (f.reset_rate) body["reset_rate"] = *f.reset_rate;
  if (f.drop_response_rate) body["drop_response_rate"] = *f.drop_response_rate;
  if (f.search_lag_ms) body["search_lag_ms"] = *f.search_lag_ms;
  if (f.seed) body["seed"] = *f.seed;
  const auto reply = control("PUT", "/__emulator/faults", json::serialize(body));
  if (reply.status != 200) fail("PUT /__emulator/faults " + json::serialize(body), reply);
}

void emulator_control::clear_faults() const {
  set_faults({.fail_rate = 0.0,
              .rate_limit = 0,
              .latency_ms = 0,
              .reset_rate = 0.0,
              .drop_response_rate = 0.0,
              .search_lag_ms = 0});
}

void emulator_control::freeze_clock(const std::optional<std::string>& at) const {
  json::object body{{"frozen_at", at ? json::value(*at) : json::value(nullptr)}};
  const auto reply = control("PUT", "/__emulator/clock", json::serialize(body));
  if (reply.status != 200) fail("PUT /__emulator/clock", reply);
}

void emulator_control::reset() const {
  const auto reply = control("POST", "/__emulator/reset");
  if (reply.status != 200 && reply.status != 204) fail("POST /__emulator/reset", reply);
}

bool emulator_control::healthy() const {
  try {
    const auto reply = control("GET", "/__emulator/health");
    if (reply.status != 200) return false;
    const auto v = reply.json();
    const auto* ok = v.is_object() ? v.get_object().if_contains("ok") : nullptr;
    return ok && ok->is_bool() && ok->get_bool();
  } catch (const std::exception&) {
    return false;
  }
}

http_reply emulator_control::api(std::string_view method, std::string_view target, std::string_view body) const {
  return http_call(base_url_, method, target, body,
                   {{"X-API-KEY", api_key_}, {"X-BUSINESS-ID", business_id_}, {"X-USER-ID", user_id_}},
                   std::chrono::seconds(60));
}

json::value emulator_control::api_json(std::string_view method, std::string_view target, std::string_view body) const {
  const auto reply = api(method, target, body);
  if (reply.status < 200 || reply.status >= 300) fail(std::string(method) + " " + std::string(target), reply);
  if (reply.body.empty()) return nullptr;
  return reply.json();
}

}  // namespace ks::test
