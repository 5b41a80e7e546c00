#include "application.hpp"

#include <boost/json.hpp>

#include "api_call.hpp"
#include "auth.hpp"
#include "time_format.hpp"

namespace kintone_emulator {

namespace json = boost::json;

namespace {

bool is_api(const parsed_target& t) { return !t.segments.empty() && t.segments[0] == "k"; }
bool is_control(const parsed_target& t) { return !t.segments.empty() && t.segments[0] == "__emulator"; }

json::value body_for_log(const std::string& body) {
  if (body.empty()) return nullptr;
  boost::system::error_code ec;
  auto v = json::parse(body, ec);
  if (ec) return json::value(body);
  return v;
}

std::string effective_method(const request& req) {
  if (req.method != "POST") return req.method;
  auto o = req.header("x-http-method-override");
  if (!o) return req.method;
  for (auto& c : *o) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return *o == "GET" ? "GET" : req.method;
}

// The path fault rules match: a guest-space prefix counts as /k/v1/.
std::string fault_path(const parsed_target& t) {
  std::optional<std::int64_t> space;
  return endpoint_of(t, space).value_or(t.path);
}

}  // namespace

application::application(const schema& s, app_config config)
    : schema_(s),
      store_(s),
      cursors_(config.seed),
      limits_(config.concurrency_limit, config.daily_limit),
      faults_(config.seed),
      log_(config.request_log_limit),
      api_(store_, cursors_, limits_, clock_),
      error_ids_(config.seed) {}

response application::error_response(const api_error& e, language lang) {
  static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::string id;
  for (int i = 0; i < 20; ++i) id += alphabet[error_ids_() % (sizeof alphabet - 1)];
  return render_error(e, lang, id);
}

void application::add_concurrency_headers(response& r) const {
  if (r.header("X-ConcurrencyLimit-Limit")) return;
  r.headers.emplace_back("X-ConcurrencyLimit-Limit", std::to_string(limits_.concurrency_limit()));
  r.headers.emplace_back("X-ConcurrencyLimit-Running", std::to_string(limits_.running()));
}

ticket application::arrive(const request& req) {
  ticket tk;
  const auto t = parse_target(req.target);
  if (!t.valid || !is_api(t)) return tk;
  tk.api = true;
  if (req.target.size() > max_url_bytes) {
    tk.early = outcome{response::html(414, "414 Request-URI Too Large"), delivery::normal};
    return tk;
  }
  if (!limits_.enter()) {
    const auto lang = language_of(req.header("accept-language"));
    tk.early = outcome{error_response(errors::concurrency(limits_.concurrency_limit(), limits_.running()), lang),
                       delivery::normal};
    return tk;
  }
  tk.running = true;
  tk.plan = faults_.decide(effective_method(req), fault_path(t));
  return tk;
}

void application::depart(const ticket& t) {
  if (t.running) limits_.leave();
}

outcome application::handle(const request& req, const ticket& tk) {
  const auto t = parse_target(req.target);
  if (!t.valid) return {response::html(400, "400 Bad Request"), delivery::normal};
  if (is_control(t)) return {control(req, t), delivery::normal};
  if (!tk.api) return {response::html(404, "404 Not Found"), delivery::normal};
  logged_request entry;
  entry.method = req.method;
  entry.effective = effective_method(req);
  entry.path = t.path;
  entry.endpoint = fault_path(t);
  entry.body = body_for_log(req.body);
  entry.at = format_datetime(clock_.now_ms());
  outcome out;
  if (tk.early) {
    out = *tk.early;
    entry.fault = out.res.status == 429 ? "concurrency" : "";
  } else {
    entry.fault = tk.plan.name();
    out = serve_api(req, t, tk, entry);
  }
  if (out.res.content_type.rfind("application/json", 0) == 0 && out.res.status >= 400) {
    boost::system::error_code ec;
    const auto body = json::parse(out.res.body, ec);
    if (!ec && body.is_object())
      if (const auto* code = body.get_object().if_contains("code"); code && code->is_string())
        entry.code = std::string(code->get_string());
  }
  add_concurrency_headers(out.res);
  entry.status = out.how == delivery::reset ? 0 : out.res.status;
  log_.add(std::move(entry));
  return out;
}

outcome application::serve_api(const request& req, const parsed_target& t, const ticket& tk, logged_request& entry) {
  const auto lang = language_of(req.header("accept-language"));
  if (const auto& action = tk.plan.action) {
    switch (action->kind) {
      case fault_kind::reset: return {response::html(500, "reset"), delivery::reset};
      case fault_kind::error: {
        if (action->code.empty()) {
          const std::string title = std::to_string(action->status) + (action->status == 502   ? " Bad Gateway"
                                                                      : action->status == 503 ? " Service Unavailable"
                                                                      : action->status == 504 ? " Gateway Time-out"
                                                                                              : " Error");
          return {response::html(action->status, title), delivery::normal};
        }
        api_error e;
        e.status = action->status;
        e.code = action->code;
        e.message = {"エラーが発生しました。", "An error occurred."};
        return {error_response(e, lang), delivery::normal};
      }
      case fault_kind::db_lock:
        return {error_response(errors::db_lock(action->code, action->status), lang), delivery::normal};
      default: break;
    }
  }
  outcome out;
  auto who = authenticate(req, schema_);
  if (!who) {
    out.res = error_response(who.error(), lang);
  } else if (!kintone_api::known(effective_method(req), entry.endpoint)) {
    out.res = error_response(errors::illegal_request(), lang);
  } else if (auto call = read_call(req, t); !call) {
    out.res = error_response(call.error(), lang);
  } else {
    std::int64_t app = 0;
    if (call->endpoint == "/k/v1/bulkRequest.json") {
      out.res = bulk(call.value(), who.value(), entry);
      if (tk.plan.action && tk.plan.action->kind == fault_kind::drop_response) out.how = delivery::drop;
      return out;
    }
    auto answer = api_.handle(call.value(), who.value(), app);
    entry.app = app;
    out.res = answer ? response::json(200, answer.value()) : error_response(answer.error(), lang);
  }
  if (tk.plan.action && tk.plan.action->kind == fault_kind::drop_response) out.how = delivery::drop;
  return out;
}

}  // namespace kintone_emulator
