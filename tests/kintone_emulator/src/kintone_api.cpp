// Routing, app resolution, and the app metadata endpoints.
#include "kintone_api.hpp"

#include <boost/json.hpp>

#include "time_format.hpp"

namespace kintone_emulator {

namespace json = boost::json;

namespace {

struct endpoint_entry {
  const char* method;
  const char* path;
};

constexpr endpoint_entry endpoints[] = {
    {"GET", "/k/v1/record.json"},          {"POST", "/k/v1/record.json"},
    {"PUT", "/k/v1/record.json"},          {"GET", "/k/v1/records.json"},
    {"POST", "/k/v1/records.json"},        {"PUT", "/k/v1/records.json"},
    {"DELETE", "/k/v1/records.json"},      {"POST", "/k/v1/records/cursor.json"},
    {"GET", "/k/v1/records/cursor.json"},  {"DELETE", "/k/v1/records/cursor.json"},
    {"GET", "/k/v1/app/form/fields.json"}, {"GET", "/k/v1/app.json"},
    {"POST", "/k/v1/bulkRequest.json"},
};

api_error missing(const std::string& name) { return errors::invalid_input({{name, errors::required()}}); }

json::object field_properties(const field_def& f) {
  json::object p{{"type", type_name(f.type)}, {"code", f.code}, {"label", f.label}, {"noLabel", false}};
  if (is_system(f.type) || f.type == field_type::subtable) {
    if (f.type == field_type::subtable) {
      json::object cols;
      for (const auto& c : f.fields) cols[c.code] = field_properties(c);
      p["fields"] = std::move(cols);
    }
    return p;
  }
  p["required"] = f.required;
  if (f.type == field_type::single_line_text || f.type == field_type::number || f.type == field_type::link)
    p["unique"] = f.unique;
  if (!f.options.empty()) {
    json::object opts;
    for (std::size_t i = 0; i < f.options.size(); ++i)
      opts[f.options[i]] = json::object{{"label", f.options[i]}, {"index", std::to_string(i)}};
    p["options"] = std::move(opts);
  }
  if (f.default_value)
    p["defaultValue"] = *f.default_value;
  else if (is_multi_valued(f.type))
    p["defaultValue"] = json::array{};
  else
    p["defaultValue"] = "";
  return p;
}

}  // namespace

bool kintone_api::known(std::string_view method, std::string_view endpoint) {
  for (const auto& e : endpoints)
    if (method == e.method && endpoint == e.path) return true;
  return false;
}

ks::result<const app_def*, api_error> kintone_api::open_app(const api_call& call, const principal& who, action what,
                                                            std::string_view param, std::int64_t& app_out) {
  std::int64_t id = 0;
  switch (int_param(call.params, param, id)) {
    case int_state::absent: return ks::fail(missing(std::string(param)));
    case int_state::invalid: return ks::fail(errors::invalid_input({{std::string(param), errors::not_a_number()}}));
    case int_state::ok: break;
  }
  const auto* app = store_.definitions().app(id);
  if (!app) return ks::fail(errors::app_not_found(id));
  app_out = id;
  limits_.count(id, clock_.now_ms());
  // An app in a guest space answers only under its own /k/guest/{space}/ prefix.
  if (app->guest_space && !call.guest_space) return ks::fail(errors::guest_path_needed());
  if (app->guest_space != call.guest_space) return ks::fail(errors::app_not_found(id));
  if (auto denied = authorize(who, *app, what)) return ks::fail(*denied);
  return app;
}

api_result kintone_api::handle(const api_call& call, const principal& who, std::int64_t& app_out) {
  const auto& m = call.method;
  const auto& e = call.endpoint;
  if (e == "/k/v1/records/cursor.json" && m != "POST") return cursor_call(call, who, app_out);
  action what = action::view;
  if (m == "POST") what = action::add;
  if (m == "PUT") what = flag_param(call.params, "upsert") && e == "/k/v1/records.json" ? action::upsert : action::edit;
  if (m == "DELETE") what = action::remove;
  if (e == "/k/v1/records/cursor.json") what = action::view;
  auto app = open_app(call, who, what, e == "/k/v1/app.json" ? "id" : "app", app_out);
  if (!app) return ks::fail(std::move(app).error());
  const app_def& a = *app.value();
  if (e == "/k/v1/record.json") {
    if (m == "GET") return get_record(call, a);
    if (m == "POST") return add_record(call, a, who);
    return update_record(call, a, who);
  }
  if (e == "/k/v1/records.json") {
    if (m == "GET") return get_records(call, a);
    if (m == "POST") return add_records(call, a, who);
    if (m == "PUT") return update_records(call, a, who, what == action::upsert);
    return delete_records(call, a);
  }
  if (e == "/k/v1/records/cursor.json") return add_cursor(call, a);
  if (e == "/k/v1/app/form/fields.json") return form_fields(a);
  return app_info(a);
}

api_result kintone_api::form_fields(const app_def& app) {
  json::object props;
  for (const auto& f : app.fields) {
    if (f.type == field_type::id || f.type == field_type::revision) continue;
    props[f.code] = field_properties(f);
  }
  return json::value(json::object{{"properties", std::move(props)}, {"revision", "1"}});
}

api_result kintone_api::app_info(const app_def& app) {
  const json::object admin{{"code", "Administrator"}, {"name", "Administrator"}};
  return json::value(
      json::object{{"appId", std::to_string(app.id)},
                   {"code", ""},
                   {"name", app.name},
                   {"description", app.description},
                   {"spaceId", app.guest_space ? json::value(std::to_string(*app.guest_space)) : json::value(nullptr)},
                   {"threadId", app.guest_space ? json::value(std::to_string(*app.guest_space)) : json::value(nullptr)},
                   {"createdAt", "2024-01-01T00:00:00.000Z"},
                   {"creator", admin},
                   {"modifiedAt", "2024-01-01T00:00:00.000Z"},
                   {"modifier", admin}});
}

}  // namespace kintone_emulator
