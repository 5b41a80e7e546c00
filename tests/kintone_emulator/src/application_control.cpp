// The /__emulator/ control surface (no authentication, never faulted, counted or logged).
#include <boost/json.hpp>
#include <charconv>

#include "application.hpp"
#include "record_writer.hpp"
#include "state_file.hpp"
#include "time_format.hpp"

namespace kintone_emulator {

namespace json = boost::json;

namespace {

response problem(int status, const std::string& message) {
  return response::json(status, json::object{{"error", message}});
}

response no_content() {
  response r;
  r.status = 204;
  r.content_type.clear();
  return r;
}

json::object clock_json(const emulator_clock& c) {
  return json::object{{"now", format_datetime(c.now_ms())}, {"now_ms", c.now_ms()}, {"frozen", c.frozen()}};
}

}  // namespace

response application::control(const request& req, const parsed_target& t) {
  const std::string what = t.segments.size() >= 2 ? t.segments[1] : std::string();
  const std::string& m = req.method;
  json::object body;
  if (!req.body.empty()) {
    boost::system::error_code ec;
    auto v = json::parse(req.body, ec);
    if (ec || !v.is_object()) return problem(400, "expected a JSON object body");
    body = std::move(v.as_object());
  }
  const auto now = clock_.now_ms();
  if (what == "health" && m == "GET") return response::json(200, json::object{{"ok", true}});
  if (what == "reset" && m == "POST") {
    store_.clear();
    cursors_.clear();
    faults_.reset();
    log_.clear();
    limits_.reset_counts();
    clock_.reset();
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
    return no_content();
  }
  if (what == "faults" && (m == "GET" || m == "PUT" || m == "DELETE")) {
    if (m == "DELETE") faults_.set_rules({});
    if (m == "PUT") {
      std::vector<fault_rule> rules;
      if (const auto* list = body.if_contains("rules")) {
        if (!list->is_array()) return problem(400, "rules: expected a list");
        for (std::size_t i = 0; i < list->get_array().size(); ++i) {
          auto r = fault_rule::from_json(list->get_array()[i]);
          if (!r) return problem(400, "rules[" + std::to_string(i) + "]: " + r.error());
          rules.push_back(std::move(r).value());
        }
      }
      if (const auto* seed = body.if_contains("seed")) {
        if (!seed->is_int64() || seed->get_int64() < 0) return problem(400, "seed: expected a non-negative integer");
        faults_.reseed(static_cast<std::uint64_t>(seed->get_int64()));
      }
      faults_.set_rules(std::move(rules));
    }
    json::array rules;
    for (const auto& r : faults_.rules()) rules.push_back(r.to_json());
    return response::json(200, json::object{{"seed", faults_.seed()}, {"rules", std::move(rules)}});
  }
  if (what == "clock" && (m == "GET" || m == "PUT")) {
    if (m == "PUT") {
      // Applied in this order: now / now_ms, frozen, advance_ms / advance_seconds.
      if (const auto* at = body.if_contains("now")) {
        const auto ms = at->is_string() ? parse_datetime(at->get_string()) : std::nullopt;
        if (!ms) return problem(400, "now: expected an ISO-8601 datetime with a zone");
        clock_.set(*ms);
      }
      if (const auto* at = body.if_contains("now_ms")) {
        if (!at->is_int64()) return problem(400, "now_ms: expected milliseconds since the epoch");
        clock_.set(at->get_int64());
      }
      if (const auto* f = body.if_contains("frozen")) {
        if (!f->is_bool()) return problem(400, "frozen: expected true or false");
        if (f->get_bool())
          clock_.freeze();
        else
          clock_.unfreeze();
      }
      for (const auto& [key, scale] :
           {std::pair<const char*, std::int64_t>{"advance_ms", 1}, {"advance_seconds", 1000}}) {
        if (const auto* a = body.if_contains(key)) {
          if (!a->is_int64()) return problem(400, std::string(key) + ": expected an integer");
          clock_.advance(a->get_int64() * scale);
        }
      }
    }
    return response::json(200, clock_json(clock_));
  }
  if (what == "counters" && m == "GET") {
    auto out = limits_.to_json(now);
    out["cursors"] = cursors_.live(now);
    return response::json(200, out);
  }
  if (what == "counters" && m == "DELETE") {
    limits_.reset_counts();
    return no_content();
  }
  if (what == "limits" && m == "PUT") {
    if (const auto* c = body.if_contains("concurrency_limit")) {
      if (!c->is_int64() || c->get_int64() < 1) return problem(400, "concurrency_limit: expected a positive integer");
      limits_.set_concurrency_limit(static_cast<std::size_t>(c->get_int64()));
    }
    if (const auto* d = body.if_contains("daily_limit")) {
      if (!d->is_int64() || d->get_int64() < 1) return problem(400, "daily_limit: expected a positive integer");
      limits_.set_daily_limit(d->get_int64());
    }
    return response::json(200, limits_.to_json(now));
  }
  if (what == "cursors" && m == "GET") {
    auto list = cursors_.describe(now);
    const auto n = list.size();
    return response::json(200, json::object{{"live", n}, {"cursors", std::move(list)}});
  }
  if (what == "apps" && t.segments.size() == 4 && t.segments[3] == "records") return control_records(req, t, body);
  return problem(404, "no such control endpoint");
}

// Writes "as a Kintone user would" through the browser: validated like the API, recorded under
// `user` (a login of the directory; default Administrator), bumping revision and update time.
response application::control_records(const request& req, const parsed_target& t, const json::object& body) {
  std::int64_t id = 0;
  const auto& seg = t.segments[2];
  if (std::from_chars(seg.data(), seg.data() + seg.size(), id).ec != std::errc() || !schema_.app(id))
    return problem(404, "no app " + seg);
  const app_def& app = *schema_.app(id);
  writer_identity who;
  who.user = {"Administrator", "Administrator"};
  who.may_set_system = true;
  if (const auto* u = body.if_contains("user")) {
    const auto* user = u->is_string() ? schema_.user(u->get_string()) : nullptr;
    if (!user) return problem(400, "user: not a login of the schema's users");
    who.user = {user->login, user->name};
  }
  record_writer w(store_, app, clock_.now_ms(), who);
  const auto* list = body.if_contains("records");
  if (req.method == "DELETE") {
    std::vector<std::int64_t> ids;
    if (const auto* v = body.if_contains("ids"); v && v->is_array())
      for (const auto& i : v->get_array())
        if (i.is_int64()) ids.push_back(i.get_int64());
    auto done = w.remove(ids, {});
    if (!done) return error_response(done.error(), language::en);
    return response::json(200, json::object{});
  }
  if (!list || !list->is_array()) return problem(400, "records: expected a list");
  write_result done = ks::fail(errors::illegal_request());
  if (req.method == "POST") {
    done = w.add(std::vector<json::value>(list->get_array().begin(), list->get_array().end()), true);
  } else if (req.method == "PUT") {
    std::vector<update_item> items;
    for (const auto& entry : list->get_array()) {
      if (!entry.is_object()) return problem(400, "records: expected objects");
      update_item item;
      std::int64_t n = 0;
      if (int_param(entry.get_object(), "id", n) == int_state::ok) item.id = n;
      if (const auto* k = entry.get_object().if_contains("updateKey"); k && k->is_object()) {
        if (const auto* f = k->get_object().if_contains("field"); f && f->is_string())
          item.key_field = std::string(f->get_string());
        if (const auto* v = k->get_object().if_contains("value")) item.key_value = *v;
      }
      if (const auto* r = entry.get_object().if_contains("record")) item.record = *r;
      items.push_back(std::move(item));
    }
    done = w.update(items, true, false);
  } else {
    return problem(405, "POST, PUT or DELETE");
  }
  if (!done) return error_response(done.error(), language::en);
  json::array out;
  for (const auto& r : done.value())
    out.push_back(json::object{{"id", std::to_string(r.id)}, {"revision", std::to_string(r.revision)}});
  return response::json(200, json::object{{"records", std::move(out)}});
}

}  // namespace kintone_emulator
