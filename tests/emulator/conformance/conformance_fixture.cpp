#include "conformance_fixture.hpp"

#include <boost/url/parse.hpp>

namespace kizen_emulator::conformance {

namespace {

std::string path_of(std::string_view target) {
  const auto q = target.find('?');
  return std::string(target.substr(0, q));
}

bool is_string_list(const json::value& v) {
  if (!v.is_array()) return false;
  for (const auto& s : v.as_array())
    if (!s.is_string()) return false;
  return true;
}

void expect_detail(const std::string& where, const json::value& body) {
  ASSERT_TRUE(body.is_object()) << where;
  const auto& o = body.as_object();
  ASSERT_TRUE(o.contains("detail") && o.at("detail").is_string())
      << where << ": expected {\"detail\": ...}, got " << json::serialize(body);
}

void expect_paginated(const std::string& where, const json::value& body) {
  ASSERT_TRUE(body.is_object()) << where;
  const auto& o = body.as_object();
  EXPECT_TRUE(o.contains("count") && o.at("count").is_int64()) << where;
  for (const char* link : {"next", "previous"}) {
    ASSERT_TRUE(o.contains(link)) << where << " lacks " << link;
    const auto& v = o.at(link);
    EXPECT_TRUE(v.is_null() || (v.is_string() && v.as_string().starts_with("http"))) << where << " " << link;
  }
  ASSERT_TRUE(o.contains("results") && o.at("results").is_array()) << where;
}

}  // namespace

json::array fields_of(std::initializer_list<std::pair<std::string_view, json::value>> items) {
  json::array out;
  for (const auto& [name, value] : items) out.push_back(json::object{{"name", name}, {"value", value}});
  return out;
}

void check_undocumented(std::string_view method, std::string_view target, const ks::test::http_reply& r) {
  const std::string where = std::string(method) + " " + std::string(target) + " -> " + std::to_string(r.status);
  if (r.status == 204) {
    EXPECT_TRUE(r.body.empty()) << where;
    return;
  }
  if (r.status == 502 || r.status == 503) {  // a gateway's HTML page, as in front of the real service
    EXPECT_EQ(r.header("content-type"), "text/html") << where;
    return;
  }
  EXPECT_EQ(r.header("content-type"), "application/json") << where;
  json::value body;
  ASSERT_NO_THROW(body = r.json()) << where;
  const auto& v = ks::test::openapi_validator::kizen();
  const std::string path = path_of(target);
  switch (r.status) {
    case 401: EXPECT_EQ(body, (json::value(json::object{{"code", "missing_business_context"}}))) << where; return;
    case 403:
    case 404:
    case 405:
    case 413:
    case 429:
    case 500: expect_detail(where, body); return;
    case 400: {
      ASSERT_TRUE(body.is_object()) << where;
      const auto& o = body.as_object();
      if (o.contains("detail")) return expect_detail(where, body);
      if (o.contains("fields") && o.at("fields").is_array()) {
        const auto problems = v.validate_schema(body, "ErrorResponse");
        EXPECT_TRUE(problems.empty()) << where << ": " << (problems.empty() ? "" : problems.front());
        return;
      }
      for (const auto& kv : o)
        EXPECT_TRUE(is_string_list(kv.value())) << where << ": field errors must be lists of strings";
      return;
    }
    case 200: {
      if (path.starts_with("/api/custom-objects")) {
        expect_paginated(where, body);
        for (const auto& item : body.at("results").as_array()) {
          EXPECT_TRUE(item.is_object() && item.as_object().contains("id") && item.as_object().contains("name"))
              << where;
          if (path.ends_with("settings-search")) {
            for (const char* key : {"display_name", "field_type", "is_default"}) {
              EXPECT_TRUE(item.as_object().contains(key)) << where << " lacks " << key;
            }
          }
        }
        return;
      }
      if (path.ends_with("/unarchive")) {
        const auto problems = v.validate_schema(body, "EntityRecordDetail");
        EXPECT_TRUE(problems.empty()) << where << ": " << (problems.empty() ? "" : problems.front());
        return;
      }
      ADD_FAILURE() << where << ": a 200 the contract does not document";
      return;
    }
    default: ADD_FAILURE() << where << ": unexpected status";
  }
}

void check_reply(std::string_view method, std::string_view target, const ks::test::http_reply& r) {
  const auto& v = ks::test::openapi_validator::kizen();
  const std::string path = path_of(target);
  const std::string tmpl = v.match_path(method, path);
  if (!tmpl.empty() && v.documents(method, tmpl, r.status)) {
    json::value body;
    ASSERT_NO_THROW(body = r.json()) << method << " " << target;
    EXPECT_EQ(r.header("content-type"), "application/json");
    const auto problems = v.validate_response(method, tmpl, r.status, body);
    for (const auto& p : problems) ADD_FAILURE() << method << " " << target << " -> " << r.status << ": " << p;
    if (body.is_object() && (body.as_object().contains("fields") && body.as_object().contains("id"))) {
      // Beyond the contract, fixed by the brief: every record carries created/updated (ISO, ms, Z).
      for (const char* ts : {"created", "updated"}) {
        const auto* t = body.as_object().if_contains(ts);
        EXPECT_TRUE(t && t->is_string() && t->as_string().size() == 24 && t->as_string().ends_with("Z"))
            << method << " " << target << ": " << ts;
      }
    }
    return;
  }
  if (!tmpl.empty() && r.status == 204 && method == "DELETE") {
    EXPECT_TRUE(r.body.empty());
    return;
  }
  check_undocumented(method, target, r);
}

void emulator_test::SetUp() { restart({}); }

void emulator_test::restart(std::vector<std::string> extra_args) {
  emulator_.reset();
  ks::test::emulator_options o;
  o.extra_args = std::move(extra_args);
  emulator_ = std::make_unique<ks::test::emulator_process>(o);
}

ks::test::header_list emulator_test::auth_headers() const {
  const auto& o = emulator_->options();
  return {{"X-API-KEY", o.api_key}, {"X-BUSINESS-ID", o.business_id}, {"X-USER-ID", o.user_id}};
}

ks::test::http_reply emulator_test::api_raw(std::string_view method, std::string_view target, std::string_view body,
                                            const ks::test::header_list& headers) {
  auto r = ks::test::http_call(base_url(), method, target, body, headers);
  check_reply(method, target, r);
  return r;
}

ks::test::http_reply emulator_test::api(std::string_view method, std::string_view target, const json::value& body) {
  return api_raw(method, target, body.is_null() ? std::string() : json::serialize(body), auth_headers());
}

ks::test::http_reply emulator_test::control(std::string_view method, std::string_view target, const json::value& body) {
  auto r = ks::test::http_call(base_url(), method, target, body.is_null() ? std::string() : json::serialize(body));
  if (r.status != 204) {
    EXPECT_NO_THROW(r.json()) << method << " " << target;
  }
  return r;
}

json::object emulator_test::add(std::string_view object, const json::array& fields) {
  const auto r = api("POST", "/api/records/" + std::string(object) + "/add", json::object{{"fields", fields}});
  EXPECT_EQ(r.status, 200) << r.body;
  return r.status == 200 ? r.json().as_object() : json::object{};
}

json::object emulator_test::get(std::string_view object, std::string_view id) {
  const auto r = api("GET", "/api/records/" + std::string(object) + "/" + std::string(id));
  EXPECT_EQ(r.status, 200) << r.body;
  return r.status == 200 ? r.json().as_object() : json::object{};
}

json::object emulator_test::search(std::string_view object, const json::value& body, std::string_view query) {
  std::string target = "/api/records/" + std::string(object) + "/search";
  if (!query.empty()) target += "?" + std::string(query);
  const auto r = api("POST", target, body);
  EXPECT_EQ(r.status, 200) << r.body;
  return r.status == 200 ? r.json().as_object() : json::object{};
}

const json::object* emulator_test::field(const json::object& record, std::string_view name) {
  const auto* fields = record.if_contains("fields");
  if (!fields || !fields->is_object()) return nullptr;
  for (const auto& kv : fields->as_object()) {
    const auto& entry = kv.value().as_object();
    if (entry.at("name").as_string() == name) return &entry;
  }
  return nullptr;
}

json::value emulator_test::value_of(const json::object& record, std::string_view name) {
  const auto* f = field(record, name);
  return f ? f->at("value") : json::value(nullptr);
}

}  // namespace kizen_emulator::conformance
