#include "conformance_fixture.hpp"

namespace kintone_emulator::conformance {

void check_shape(std::string_view method, std::string_view target, const ks::test::http_reply& r) {
  const std::string where =
      std::string(method) + " " + std::string(target).substr(0, 200) + " -> " + std::to_string(r.status);
  if (r.status == 0) return;
  if (r.header("content-type") == "text/html") {
    // Gateways in front of Kintone answer 414 and 5xx with HTML pages.
    EXPECT_TRUE(r.status == 414 || r.status >= 500 || r.status == 400) << where;
    return;
  }
  EXPECT_EQ(r.header("content-type"), "application/json;charset=utf-8") << where;
  EXPECT_FALSE(r.header("x-concurrencylimit-limit").empty()) << where;
  EXPECT_FALSE(r.header("x-concurrencylimit-running").empty()) << where;
  json::value body;
  ASSERT_NO_THROW(body = r.json()) << where;
  ASSERT_TRUE(body.is_object()) << where;
  if (r.status == 200) return;
  if (const auto* results = body.as_object().if_contains("results")) {
    // A failed bulk request: the failing request's error at its place, {} elsewhere.
    ASSERT_TRUE(results->is_array()) << where;
    int errors = 0;
    for (const auto& item : results->as_array()) {
      ASSERT_TRUE(item.is_object()) << where;
      if (item.as_object().empty()) continue;
      ++errors;
      for (const char* key : {"code", "id", "message"}) EXPECT_TRUE(item.as_object().contains(key)) << where;
    }
    EXPECT_EQ(errors, 1) << where;
    return;
  }
  const auto& o = body.as_object();
  for (const char* key : {"code", "id", "message"})
    EXPECT_TRUE(o.contains(key) && o.at(key).is_string()) << where << " lacks " << key << ": " << r.body;
  EXPECT_EQ(r.header("x-cybozu-error"), std::string(o.at("code").as_string())) << where;
  for (const auto& [k, v] : o) {
    const std::string key(k);
    EXPECT_TRUE(key == "code" || key == "id" || key == "message" || key == "errors") << where << ": " << key;
  }
  if (const auto* errs = o.if_contains("errors")) {
    ASSERT_TRUE(errs->is_object()) << where;
    for (const auto& [k, v] : errs->as_object()) {
      ASSERT_TRUE(v.is_object() && v.as_object().contains("messages")) << where << " " << k;
      for (const auto& m : v.at("messages").as_array()) EXPECT_TRUE(m.is_string()) << where;
    }
  }
}

void kintone_test::restart(std::vector<std::string> extra_args) {
  emulator_.reset();
  emulator_ = std::make_unique<ks::test::kintone_emulator_process>(std::move(extra_args));
}

ks::test::http_reply kintone_test::call(std::string_view method, std::string_view target, const json::value& body,
                                        ks::test::header_list headers) {
  auto r =
      ks::test::http_call(base_url(), method, target, body.is_null() ? std::string() : json::serialize(body), headers);
  check_shape(method, target, r);
  return r;
}

ks::test::http_reply kintone_test::control(std::string_view method, std::string_view target, const json::value& body) {
  auto r = ks::test::http_call(base_url(), method, target, body.is_null() ? std::string() : json::serialize(body));
  if (r.status != 204) {
    EXPECT_NO_THROW(r.json()) << method << " " << target;
  }
  return r;
}

std::string kintone_test::add_customer(const std::string& code, const std::string& name, json::object more) {
  json::object record = record_of({{"customer_code", json::string(code)}, {"name", json::string(name)}});
  for (auto& [k, v] : more) record[k] = std::move(v);
  const auto r = call("POST", "/k/v1/record.json", json::object{{"app", 1}, {"record", record}});
  EXPECT_EQ(r.status, 200) << r.body;
  return r.status == 200 ? std::string(r.json().at("id").as_string()) : std::string();
}

json::object kintone_test::get_record(std::int64_t app, const std::string& id) {
  const auto r = call("GET", "/k/v1/record.json?app=" + std::to_string(app) + "&id=" + id);
  EXPECT_EQ(r.status, 200) << r.body;
  return r.status == 200 ? r.json().at("record").as_object() : json::object{};
}

std::string kintone_test::code_of(const ks::test::http_reply& r) {
  try {
    const auto b = r.json();
    const auto* c = b.is_object() ? b.as_object().if_contains("code") : nullptr;
    return c && c->is_string() ? std::string(c->as_string()) : std::string();
  } catch (const std::exception&) {
    return {};
  }
}

std::vector<std::string> kintone_test::error_keys(const ks::test::http_reply& r) {
  std::vector<std::string> out;
  const auto b = r.json();
  if (const auto* e = b.as_object().if_contains("errors"))
    for (const auto& [k, v] : e->as_object()) out.emplace_back(k);
  return out;
}

json::object record_of(std::initializer_list<std::pair<std::string_view, json::value>> fields) {
  json::object out;
  for (const auto& [code, value] : fields) out[code] = json::object{{"value", value}};
  return out;
}

}  // namespace kintone_emulator::conformance
