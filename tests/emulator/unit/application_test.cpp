// Whole requests through application::handle(), without sockets.
#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "src/application.hpp"
#include "src/state_file.hpp"

namespace kizen_emulator {
namespace {

namespace json = boost::json;

class emulator_application_logic : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = load_schema_file(KIZEN_EMULATOR_DEFAULT_SCHEMA);
    ASSERT_TRUE(s) << s.error();
    schema_ = std::make_unique<schema>(std::move(s).value());
    app_config c;
    c.creds = {"k", "b", "u"};
    app_ = std::make_unique<application>(*schema_, c);
  }
  outcome call(std::string method, std::string target, const json::value& body = nullptr) {
    request r;
    r.method = std::move(method);
    r.target = std::move(target);
    r.host = "emu:1";
    r.body = body.is_null() ? "" : json::serialize(body);
    r.api_key = "k";
    r.business_id = "b";
    r.user_id = "u";
    return app_->handle(r);
  }
  json::value body(const outcome& o) { return json::parse(o.res.body); }

  std::unique_ptr<schema> schema_;
  std::unique_ptr<application> app_;
};

TEST_F(emulator_application_logic, failed_validation_leaves_no_trace) {
  auto o = call(
      "POST", "/api/records/client_client/add",
      json::parse(
          R"({"fields":[{"name":"email","value":"a@b.co"},{"name":"tags","add_values":[{"name":"new-tag"}]},{"name":"lead_score","value":"x"}]})"));
  EXPECT_EQ(o.res.status, 400);
  // The tag a failed write named was not created.
  const auto state = dump_state(app_->records());
  EXPECT_TRUE(state.at("tags").at("client_client.tags").as_array().empty());
  EXPECT_TRUE(state.at("objects").at("client_client").as_array().empty());
}

TEST_F(emulator_application_logic, failed_unarchive_write_keeps_the_record_archived) {
  auto o = call("POST", "/api/records/companies/add", json::parse(R"({"fields":[{"name":"name","value":"A"}]})"));
  const std::string id(body(o).at("id").as_string());
  call("DELETE", "/api/records/companies/" + id);
  o = call("POST", "/api/records/companies/upsert",
           json::parse(
               R"({"lookup_value":"A","oncreate_unarchive":"unarchive","fields":[{"name":"employees","value":"x"}]})"));
  EXPECT_EQ(o.res.status, 400);
  EXPECT_EQ(call("GET", "/api/records/companies/" + id).res.status, 404);
}

TEST_F(emulator_application_logic, state_round_trips_through_dump_and_restore) {
  call(
      "POST", "/api/records/client_client/add",
      json::parse(
          R"({"fields":[{"name":"email","value":"a@b.co"},{"name":"tags","add_values":[{"name":"t1"}]},{"name":"stage","value":{"name":"Lead"}},{"name":"lifetime_value","value":"3.5"},{"name":"last_contacted","value":"2024-01-01T00:00:00Z"}]})"));
  const auto dumped = dump_state(app_->records());
  store copy(*schema_);
  auto restored = restore_state(copy, dumped);
  ASSERT_TRUE(restored) << restored.error();
  EXPECT_EQ(json::serialize(dump_state(copy)), json::serialize(dumped));
  EXPECT_FALSE(restore_state(copy, json::parse(R"({"objects":{"client_client":[{"id":"x"}]}})")));
  EXPECT_TRUE(dump_state(copy).at("objects").at("client_client").as_array().empty());
}

TEST_F(emulator_application_logic, faults_apply_to_api_only_and_are_logged) {
  fault_settings f;
  f.fail_rate = 1;
  app_->faults().configure(f);
  EXPECT_GE(call("POST", "/api/records/companies/search").res.status, 500);
  EXPECT_EQ(call("GET", "/__emulator/health").res.status, 200);
  const auto log = body(call("GET", "/__emulator/requests"));
  EXPECT_EQ(log.at("total"), 1);
  EXPECT_EQ(log.at("requests").at(0).at("fault"), "fail");
}

TEST_F(emulator_application_logic, drop_only_hits_writes) {
  fault_settings f;
  f.drop_response_rate = 1;
  app_->faults().configure(f);
  EXPECT_EQ(call("POST", "/api/records/companies/search").how, delivery::normal);
  EXPECT_EQ(call("POST", "/api/records/companies/add", json::parse(R"({"fields":[{"name":"name","value":"A"}]})")).how,
            delivery::drop);
}

TEST_F(emulator_application_logic, search_lags_behind_adds_and_archives_by_the_search_lag) {
  const auto add = [&](const char* name) {
    return body(call("POST", "/api/records/companies/add",
                     json::object{{"fields", json::array{json::object{{"name", "name"}, {"value", name}}}}}))
        .at("id")
        .as_string();
  };
  const auto found = [&] {
    std::vector<std::string> ids;
    const auto page = body(call("POST", "/api/records/companies/search"));
    for (const auto& r : page.at("results").as_array()) ids.emplace_back(r.at("id").as_string());
    return ids;
  };
  call("PUT", "/__emulator/clock", json::parse(R"({"frozen_at": "2025-01-01T00:00:00.000Z"})"));
  const std::string old_one(add("Old"));  // long indexed
  call("PUT", "/__emulator/clock", json::parse(R"({"frozen_at": null})"));
  fault_settings f;
  f.search_lag_ms = 60'000;  // a minute: nothing this test does becomes visible
  app_->faults().configure(f);
  const std::string new_one(add("New"));
  EXPECT_EQ(found(), std::vector<std::string>{old_one});  // the new record is not indexed yet
  EXPECT_EQ(call("DELETE", "/api/records/companies/" + old_one).res.status, 204);
  EXPECT_EQ(found(), std::vector<std::string>{old_one});  // the archived one still shows
  app_->faults().configure({});
  EXPECT_EQ(found(), std::vector<std::string>{new_one});  // no lag: the live record only
}

TEST_F(emulator_application_logic, next_links_use_the_host_header) {
  for (int i = 0; i < 3; ++i)
    call("POST", "/api/records/companies/add",
         json::object{{"fields",
                       json::array{json::object{{"name", "name"}, {"value", json::string("C" + std::to_string(i))}}}}});
  const auto page = body(call("POST", "/api/records/companies/search?page_size=2"));
  EXPECT_EQ(page.at("next"), "http://emu:1/api/records/companies/search?page_size=2&page=2");
}

}  // namespace
}  // namespace kizen_emulator
