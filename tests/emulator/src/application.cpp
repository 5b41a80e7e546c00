#include "application.hpp"

#include <boost/json.hpp>
#include <charconv>

#include "route.hpp"
#include "state_file.hpp"
#include "time_format.hpp"

namespace kizen_emulator {

namespace json = boost::json;

namespace {

bool is_api(const parsed_target& t) { return !t.segments.empty() && t.segments[0] == "api"; }
bool is_control(const parsed_target& t) { return !t.segments.empty() && t.segments[0] == "__emulator"; }

json::value body_for_log(const std::string& body) {
  if (body.empty()) return nullptr;
  boost::system::error_code ec;
  auto v = json::parse(body, ec);
  if (ec) return json::value(body);
  return v;
}

response injected_failure(int status) {
  if (status == 500) return response::detail(500, "A server error occurred.");
  response r;
  r.status = status;
  r.content_type = "text/html";
  const std::string title = status == 502 ? "502 Bad Gateway" : "503 Service Temporarily Unavailable";
  r.body = "<html>\r\n<head><title>" + title + "</title></head>\r\n<body>\r\n<center><h1>" + title +
           "</h1></center>\r\n</body>\r\n</html>\r\n";
  return r;
}

}  // namespace

bool is_write_request(const request& req, const parsed_target& t) {
  if (req.method == "GET" || req.method == "HEAD" || req.method == "OPTIONS") return false;
  return !(req.method == "POST" && !t.segments.empty() && t.segments.back() == "search");
}

application::application(const schema& s, app_config config)
    : store_(s),
      faults_(config.seed),
      log_(config.request_log_limit),
      api_(store_, clock_, config.creds, config.scheme) {
  faults_.configure(config.faults);
}

std::uint32_t application::latency_for(const request& req) const {
  if (faults_.settings().latency_ms == 0) return 0;
  return is_api(parse_target(req.target)) ? faults_.settings().latency_ms : 0;
}

outcome application::handle(const request& req, std::chrono::steady_clock::time_point now) {
  const auto t = parse_target(req.target);
  outcome out;
  if (!t.valid) {
    out.res = response::detail(400, "Malformed request target.");
    return out;
  }
  if (is_control(t)) {
    out.res = control(req, t);
    return out;
  }
  if (!is_api(t)) {
    out.res = response::not_found();
    return out;
  }
  const route rt = match_route(t.segments);
  logged_request entry;
  entry.method = req.method;
  entry.path = t.path;
  entry.path_template = rt.path_template;
  for (const auto& [k, v] : t.params) entry.query[k] = v;
  entry.body = body_for_log(req.body);
  entry.at = format_datetime(clock_.now_ms());
  const auto decision = faults_.decide(now, is_write_request(req, t));
  if (decision.throttled) {
    out.res =
        response::detail(429, "Request was throttled. Expected available in " + std::to_string(decision.retry_after_s) +
                                  " second" + (decision.retry_after_s == 1 ? "." : "s."));
    out.res.headers.emplace_back("Retry-After", std::to_string(decision.retry_after_s));
    entry.fault = "throttle";
  } else if (decision.fail_status) {
    out.res = injected_failure(decision.fail_status);
    entry.fault = "fail";
  } else {
    api_.set_search_lag(faults_.settings().search_lag_ms);
    out.res = api_.handle(req, t, rt);
    if (decision.drop) {
      out.how = delivery::drop;
      entry.fault = "drop_response";
    } else if (decision.reset) {
      out.how = delivery::reset;
      entry.fault = "reset";
    }
  }
  entry.status = out.res.status;
  log_.add(std::move(entry));
  return out;
}

response application::control(const request& req, const parsed_target& t) {
  const std::string what = t.segments.size() == 2 ? t.segments[1] : std::string();
  const std::string& m = req.method;
  auto parse_object = [&](json::object& out) -> std::optional<response> {
    boost::system::error_code ec;
    auto v = json::parse(req.body.empty() ? std::string("{}") : req.body, ec);
    if (ec || !v.is_object()) return response::detail(400, "Expected a JSON object body.");
    out = std::move(v.as_object());
    return std::nullopt;
  };
  if (what == "health" && m == "GET") return response::json(200, json::object{{"ok", true}});
  if (what == "reset" && m == "POST") {
    store_.clear();
    faults_.reset();
    log_.clear();
    clock_.freeze(std::nullopt);
    return response::json(200, json::object{{"reset", true}});
  }
  if (what == "state" && m == "GET") return response::json(200, dump_state(store_));
  if (what == "requests" && m == "GET") {
    std::uint64_t since = 0;
    if (const auto s = t.param("since")) std::from_chars(s->data(), s->data() + s->size(), since);
    return response::json(200, log_.to_json(since));
  }
  if (what == "requests" && m == "DELETE") {
    log_.clear();
    response r;
    r.status = 204;
    r.content_type.clear();
    return r;
  }
  if (what == "faults" && (m == "GET" || m == "PUT")) {
    if (m == "PUT") {
      json::object body;
      if (auto bad = parse_object(body)) return *bad;
      auto merged = faults_.settings().merged(body);
      if (!merged) return response::detail(400, merged.error());
      faults_.configure(merged.value());
      if (const auto* seed = body.if_contains("seed")) faults_.reseed(seed->to_number<std::uint64_t>());
    }
    auto out = faults_.settings().to_json();
    out["seed"] = faults_.seed();
    return response::json(200, out);
  }
  if (what == "clock" && (m == "GET" || m == "PUT")) {
    if (m == "PUT") {
      json::object body;
      if (auto bad = parse_object(body)) return *bad;
      const auto* at = body.if_contains("frozen_at");
      if (!at) return response::detail(400, "Expected {\"frozen_at\": \"YYYY-MM-DDTHH:MM:SS.sssZ\" | null}.");
      if (at->is_null()) {
        clock_.freeze(std::nullopt);
      } else {
        const auto ms = at->is_string() ? parse_datetime(at->as_string()) : std::nullopt;
        if (!ms) return response::detail(400, "frozen_at: expected an ISO-8601 datetime with a zone, or null.");
        clock_.freeze(*ms);
      }
    }
    const auto frozen = clock_.frozen_at();
    return response::json(
        200, json::object{{"frozen_at", frozen ? json::value(format_datetime(*frozen)) : json::value(nullptr)},
                          {"now", format_datetime(clock_.now_ms())}});
  }
  return response::not_found();
}

}  // namespace kizen_emulator
