// Whole requests through application (arrive, handle, depart), without sockets.
#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "src/application.hpp"
#include "unit_support.hpp"

namespace kintone_emulator {
namespace {

namespace json = boost::json;

class kintone_application : public ::testing::Test {
 protected:
  outcome call(const std::string& method, const std::string& target, const std::string& body = "",
               header_list headers = {{"x-cybozu-api-token", "customers-full"}}) {
    request r{method, target, std::move(headers), body};
    const auto t = app_.arrive(r);
    auto out = app_.handle(r, t);
    app_.depart(t);
    return out;
  }
  static json::value body(const outcome& o) { return json::parse(o.res.body); }
  static std::string code(const outcome& o) {
    const auto b = body(o);
    return b.as_object().contains("code") ? std::string(b.at("code").as_string()) : std::string();
  }

  application app_{test::default_schema(), app_config{}};
};

TEST_F(kintone_application, authentication_errors) {
  EXPECT_EQ(code(call("GET", "/k/v1/records.json?app=1", "", {})), "CB_AU01");
  EXPECT_EQ(call("GET", "/k/v1/records.json?app=1", "", {}).res.status, 401);
  EXPECT_EQ(code(call("GET", "/k/v1/records.json?app=1", "", {{"x-cybozu-api-token", "wrong"}})), "GAIA_IA02");
  EXPECT_EQ(code(call("GET", "/k/v1/records.json?app=1", "", {{"x-cybozu-api-token", "deals-full"}})), "GAIA_NO01");
  EXPECT_EQ(
      code(call("GET", "/k/v1/records.json?app=1", "", {{"x-cybozu-api-token", "customers-full,customers-view"}})),
      "GAIA_DA03");
  EXPECT_EQ(
      call("GET", "/k/v1/records.json?app=1", "", {{"x-cybozu-api-token", "deals-view, customers-view"}}).res.status,
      200);
  EXPECT_EQ(code(call("GET", "/k/v1/records.json?app=1", "", {{"x-cybozu-authorization", "c2FsZXM6bm9wZQ=="}})),
            "CB_WA01");
  // sales:sales-pass may view app 1 but not delete in it; viewer cannot add.
  EXPECT_EQ(
      call("GET", "/k/v1/records.json?app=1", "", {{"x-cybozu-authorization", "c2FsZXM6c2FsZXMtcGFzcw=="}}).res.status,
      200);
  EXPECT_EQ(code(call("DELETE", "/k/v1/records.json?app=1&ids[0]=1", "",
                      {{"x-cybozu-authorization", "c2FsZXM6c2FsZXMtcGFzcw=="}})),
            "CB_NO02");
}

TEST_F(kintone_application, messages_follow_accept_language) {
  const auto ja = call("GET", "/k/v1/records.json?app=1", "", {});
  EXPECT_EQ(body(ja).at("message"), "ログインしてください。");
  const auto en = call("GET", "/k/v1/records.json?app=1", "", {{"accept-language", "en-US,en;q=0.9"}});
  EXPECT_EQ(body(en).at("message"), "Please login.");
  EXPECT_EQ(body(en).at("id").as_string().size(), 20u);
}

TEST_F(kintone_application, urls_over_8_kb_get_414) {
  const std::string base = "/k/v1/records.json?app=1&query=";
  EXPECT_EQ(call("GET", base + std::string(max_url_bytes - base.size(), 'a')).res.status,
            400);  // a bad query, not too long
  EXPECT_EQ(call("GET", base + std::string(max_url_bytes - base.size() + 1, 'a')).res.status, 414);
}

TEST_F(kintone_application, concurrency_limit_counts_requests_between_arrival_and_departure) {
  app_.limits().set_concurrency_limit(2);
  request r{"GET", "/k/v1/records.json?app=1", {{"x-cybozu-api-token", "customers-full"}}, ""};
  const auto a = app_.arrive(r);
  const auto b = app_.arrive(r);
  const auto refused = app_.arrive(r);
  ASSERT_TRUE(refused.early);
  const auto out = app_.handle(r, refused);
  EXPECT_EQ(out.res.status, 429);
  EXPECT_EQ(code(out), "GAIA_TO04");
  EXPECT_EQ(out.res.header("X-ConcurrencyLimit-Limit"), "2");
  EXPECT_EQ(out.res.header("X-ConcurrencyLimit-Running"), "2");
  app_.depart(refused);
  app_.depart(a);
  EXPECT_EQ(app_.handle(r, b).res.status, 200);
  app_.depart(b);
  EXPECT_EQ(app_.limits().running(), 0u);
  // Control calls never take a slot.
  EXPECT_FALSE(app_.arrive(request{"GET", "/__emulator/health", {}, ""}).running);
}

TEST_F(kintone_application, method_override_and_unknown_endpoints) {
  const auto get = call("POST", "/k/v1/records.json", R"({"app":1,"query":"limit 1"})",
                        {{"x-cybozu-api-token", "customers-full"}, {"x-http-method-override", "GET"}});
  EXPECT_EQ(get.res.status, 200);
  EXPECT_TRUE(body(get).as_object().contains("records"));
  EXPECT_EQ(code(call("PATCH", "/k/v1/record.json", "{}")), "CB_IL02");
  EXPECT_EQ(code(call("GET", "/k/v1/nothing.json?app=1")), "CB_IL02");
  EXPECT_EQ(code(call("POST", "/k/v1/record.json", "{not json")), "CB_IJ01");
}

TEST_F(kintone_application, guest_space_apps_answer_only_under_their_prefix) {
  header_list guest{{"x-cybozu-api-token", "guest-full"}};
  EXPECT_EQ(code(call("GET", "/k/v1/records.json?app=3", "", guest)), "GAIA_IL23");
  EXPECT_EQ(call("GET", "/k/guest/7/v1/records.json?app=3", "", guest).res.status, 200);
  EXPECT_EQ(code(call("GET", "/k/guest/8/v1/records.json?app=3", "", guest)), "GAIA_AP01");
  EXPECT_EQ(code(call("GET", "/k/guest/7/v1/records.json?app=1")), "GAIA_AP01");
}

TEST_F(kintone_application, daily_counter_counts_requests_that_name_an_app) {
  for (int i = 0; i < 3; ++i) call("GET", "/k/v1/records.json?app=1");
  call("GET", "/k/v1/records.json?app=1", "", {});  // not authenticated: not counted
  call("GET", "/k/v1/records.json?app=2", "",
       {{"x-cybozu-api-token", "customers-full"}});  // denied, but counted for app 2
  EXPECT_EQ(app_.limits().today(1, app_.clock().now_ms()), 3);
  EXPECT_EQ(app_.limits().today(2, app_.clock().now_ms()), 1);
}

TEST_F(kintone_application, a_dropped_response_still_commits_and_a_reset_does_not) {
  auto rule = [](const char* text) { return fault_rule::from_json(json::parse(text)).value(); };
  // The first matching action wins; a later rule is not used up by a request the first one took.
  app_.faults().set_rules({rule(R"({"kind":"drop_response","count":1})"), rule(R"({"kind":"reset","count":1})")});
  const std::string add = R"({"app":1,"record":{"customer_code":{"value":"A"},"name":{"value":"a"}}})";
  const std::string other = R"({"app":1,"record":{"customer_code":{"value":"B"},"name":{"value":"b"}}})";
  EXPECT_EQ(call("POST", "/k/v1/record.json", add).how, delivery::drop);
  EXPECT_EQ(app_.records().records(1).size(), 1u);
  EXPECT_EQ(call("POST", "/k/v1/record.json", other).how, delivery::reset);
  EXPECT_EQ(app_.records().records(1).size(), 1u);
  EXPECT_EQ(call("POST", "/k/v1/record.json", other).how, delivery::normal);
  EXPECT_EQ(app_.records().records(1).size(), 2u);
}

}  // namespace
}  // namespace kintone_emulator
