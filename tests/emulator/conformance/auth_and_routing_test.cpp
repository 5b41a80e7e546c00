// Authentication, routing and the error shapes every endpoint shares.
#include "conformance_fixture.hpp"

namespace kizen_emulator::conformance {
namespace {

class emulator_auth_and_routing : public emulator_test {};

TEST_F(emulator_auth_and_routing, missing_any_header_is_401_missing_business_context) {
  const auto all = auth_headers();
  for (std::size_t skip = 0; skip < all.size(); ++skip) {
    ks::test::header_list headers;
    for (std::size_t i = 0; i < all.size(); ++i)
      if (i != skip) headers.push_back(all[i]);
    const auto r = api_raw("POST", "/api/records/companies/search", "{}", headers);
    EXPECT_EQ(r.status, 401) << "without " << all[skip].first;
    EXPECT_EQ(r.json(), json::parse(R"({"code":"missing_business_context"})"));
  }
}

TEST_F(emulator_auth_and_routing, wrong_credentials_are_403_with_detail) {
  auto all = auth_headers();
  for (std::size_t bad = 0; bad < all.size(); ++bad) {
    auto headers = all;
    headers[bad].second += "-wrong";
    const auto r = api_raw("GET", "/api/custom-objects?custom_only=false", "", headers);
    EXPECT_EQ(r.status, 403) << "wrong " << all[bad].first;
    EXPECT_TRUE(r.json().as_object().contains("detail"));
  }
}

TEST_F(emulator_auth_and_routing, every_api_endpoint_requires_auth) {
  const char* calls[][2] = {
      {"GET", "/api/records/companies/0b9c7f63-6d6f-4f4b-9d2e-0a0b0c0d0e0f"},
      {"PUT", "/api/records/companies/0b9c7f63-6d6f-4f4b-9d2e-0a0b0c0d0e0f"},
      {"PATCH", "/api/records/companies/0b9c7f63-6d6f-4f4b-9d2e-0a0b0c0d0e0f"},
      {"DELETE", "/api/records/companies/0b9c7f63-6d6f-4f4b-9d2e-0a0b0c0d0e0f"},
      {"POST", "/api/records/companies/add"},
      {"GET", "/api/records/companies/lookup?identifier=x"},
      {"POST", "/api/records/companies/search"},
      {"POST", "/api/records/companies/upsert"},
      {"GET", "/api/records/0b9c7f63-6d6f-4f4b-9d2e-0a0b0c0d0e0f/field-values/0b9c7f63-6d6f-4f4b-9d2e-0a0b0c0d0e0f"},
      {"PATCH", "/api/records/companies/0b9c7f63-6d6f-4f4b-9d2e-0a0b0c0d0e0f/unarchive"},
      {"GET", "/api/custom-objects?custom_only=false"},
      {"GET", "/api/custom-objects/3ceaaf30-8142-48ea-91d9-3080f9b439fc/fields/settings-search"},
  };
  for (const auto& c : calls) {
    const auto r = api_raw(c[0], c[1], "", {});
    EXPECT_EQ(r.status, 401) << c[0] << " " << c[1];
  }
}

TEST_F(emulator_auth_and_routing, unknown_object_malformed_and_missing_ids_are_404_not_found) {
  const json::value not_found = json::parse(R"({"detail":"Not found."})");
  const char* targets[] = {
      "/api/records/no_such_object/0b9c7f63-6d6f-4f4b-9d2e-0a0b0c0d0e0f", "/api/records/companies/not-a-uuid",
      "/api/records/companies/0b9c7f63-6d6f-4f4b-9d2e-0a0b0c0d0e0",   // one digit short
      "/api/records/companies/0b9c7f63x6d6f-4f4b-9d2e-0a0b0c0d0e0f",  // wrong separator
      "/api/records/companies/0b9c7f63-6d6f-4f4b-9d2e-0a0b0c0d0e0f",  // well formed, absent
  };
  for (const char* t : targets) {
    for (const char* m : {"GET", "PATCH", "PUT", "DELETE"}) {
      const auto r = api(m, t, json::object{{"fields", json::array{}}});
      EXPECT_EQ(r.status, 404) << m << " " << t;
      EXPECT_EQ(r.json(), not_found) << m << " " << t;
    }
  }
  for (const char* t : {"/api/records/no_such_object/add", "/api/records/no_such_object/search",
                        "/api/records/no_such_object/upsert"}) {
    EXPECT_EQ(api("POST", t, json::object{{"fields", json::array{}}, {"lookup_value", "x"}}).status, 404) << t;
  }
  EXPECT_EQ(api("GET", "/api/records/no_such_object/lookup?identifier=x").status, 404);
  EXPECT_EQ(api("GET", "/api/nothing/here").status, 404);
}

TEST_F(emulator_auth_and_routing, uppercase_entity_ids_match_the_pattern) {
  const auto rec = add("companies", fields_of({{"name", "Upper Co"}}));
  std::string id(rec.at("id").as_string());
  for (auto& c : id) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_EQ(api("GET", "/api/records/companies/" + id).status, 200);
}

TEST_F(emulator_auth_and_routing, wrong_method_is_405) {
  const auto r = api("GET", "/api/records/companies/add");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.header("allow"), "POST");
}

TEST_F(emulator_auth_and_routing, malformed_json_is_400_with_detail) {
  const auto rec = add("companies", fields_of({{"name", "Json Co"}}));
  const std::string id(rec.at("id").as_string());
  const std::pair<const char*, std::string> calls[] = {
      {"POST", "/api/records/companies/add"},    {"POST", "/api/records/companies/upsert"},
      {"POST", "/api/records/companies/search"}, {"PATCH", "/api/records/companies/" + id},
      {"PUT", "/api/records/companies/" + id},
  };
  for (const auto& [m, t] : calls) {
    const auto r = api_raw(m, t, "{\"fields\": [", auth_headers());
    EXPECT_EQ(r.status, 400) << m << " " << t;
    EXPECT_TRUE(r.json().as_object().at("detail").as_string().starts_with("JSON parse error")) << r.body;
  }
}

TEST_F(emulator_auth_and_routing, control_surface_needs_no_auth_and_faults_never_touch_it) {
  EXPECT_EQ(control("PUT", "/__emulator/faults", json::object{{"fail_rate", 1.0}}).status, 200);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(control("GET", "/__emulator/state").status, 200);
  const auto r = api("POST", "/api/records/companies/search", json::object{});
  EXPECT_TRUE(r.status == 500 || r.status == 502 || r.status == 503) << r.status;
}

}  // namespace
}  // namespace kizen_emulator::conformance
