// Authentication and permissions, guest spaces, Accept-Language.
#include "conformance_fixture.hpp"

namespace kintone_emulator::conformance {
namespace {

class kintone_auth : public kintone_test {};

const ks::test::header_list no_auth{};
ks::test::header_list token(const char* t) { return {{"X-Cybozu-API-Token", t}}; }
ks::test::header_list password(const char* base64) { return {{"X-Cybozu-Authorization", base64}}; }

TEST_F(kintone_auth, missing_or_wrong_credentials) {
  const auto none = call("GET", "/k/v1/records.json?app=1", nullptr, no_auth);
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(code_of(none), "CB_AU01");
  const auto wrong = call("GET", "/k/v1/records.json?app=1", nullptr, token("not-a-token"));
  EXPECT_EQ(wrong.status, 400);
  EXPECT_EQ(code_of(wrong), "GAIA_IA02");
  const auto one_bad = call("GET", "/k/v1/records.json?app=1", nullptr, token("customers-view,not-a-token"));
  EXPECT_EQ(code_of(one_bad), "GAIA_IA02");
  const auto twice = call("GET", "/k/v1/records.json?app=1", nullptr, token("customers-view,customers-full"));
  EXPECT_EQ(code_of(twice), "GAIA_DA03");
  const auto bad_password =
      call("GET", "/k/v1/records.json?app=1", nullptr, password("YWRtaW46d3Jvbmc="));  // admin:wrong
  EXPECT_EQ(bad_password.status, 401);
  EXPECT_EQ(code_of(bad_password), "CB_WA01");
  EXPECT_EQ(code_of(call("GET", "/k/v1/records.json?app=1", nullptr, password("!!!"))), "CB_WA01");
  // A directory-only user (no password) cannot log in.
  EXPECT_EQ(code_of(call("GET", "/k/v1/records.json?app=1", nullptr, password("c2F0bzo="))), "CB_WA01");  // sato:
}

TEST_F(kintone_auth, tokens_are_per_app_and_per_permission) {
  EXPECT_EQ(code_of(call("GET", "/k/v1/records.json?app=1", nullptr, token("deals-full"))), "GAIA_NO01");
  EXPECT_EQ(call("GET", "/k/v1/records.json?app=1", nullptr, token("deals-full, customers-view")).status, 200);
  const auto add = call("POST", "/k/v1/record.json",
                        json::object{{"app", 1}, {"record", record_of({{"customer_code", "A"}, {"name", "a"}})}},
                        token(customers_view));
  EXPECT_EQ(add.status, 403);
  EXPECT_EQ(code_of(add), "GAIA_NO01");
  EXPECT_EQ(code_of(call("GET", "/k/v1/records.json?app=1", nullptr, token("customers-add"))), "GAIA_NO01");
  add_customer("A", "a");
  EXPECT_EQ(code_of(call("PUT", "/k/v1/record.json", json::object{{"app", 1}, {"id", 1}}, token("customers-add"))),
            "GAIA_NO01");
  EXPECT_EQ(code_of(call("DELETE", "/k/v1/records.json?app=1&ids[0]=1", nullptr, token(customers_view))), "GAIA_NO01");
  EXPECT_EQ(call("GET", "/k/v1/app/form/fields.json?app=1", nullptr, token(customers_view)).status, 200);
  EXPECT_EQ(code_of(call("GET", "/k/v1/app.json?id=2", nullptr, token(customers_view))), "GAIA_NO01");
}

TEST_F(kintone_auth, password_users_and_their_rights) {
  const auto admin = password("YWRtaW46YWRtaW4tcGFzcw==");   // admin:admin-pass
  const auto viewer = password("dmlld2VyOnZpZXdlci1wYXNz");  // viewer:viewer-pass
  const json::object body{{"app", 1}, {"record", record_of({{"customer_code", "A"}, {"name", "a"}})}};
  const auto denied = call("POST", "/k/v1/record.json", body, viewer);
  EXPECT_EQ(denied.status, 403);
  EXPECT_EQ(code_of(denied), "CB_NO02");
  ASSERT_EQ(call("POST", "/k/v1/record.json", body, admin).status, 200);
  EXPECT_EQ(get_record(1, "1").at("Created_by").at("value"),
            (json::value(json::object{{"code", "admin"}, {"name", "Administrator User"}})));
  // Password authentication wins over a token sent alongside it.
  ks::test::header_list both = viewer;
  both.emplace_back("X-Cybozu-API-Token", customers_full);
  EXPECT_EQ(code_of(call("POST", "/k/v1/record.json", body, both)), "CB_NO02");
  // Admins may set system fields on add; a token without "manage" may not.
  json::object with_creator = body;
  with_creator["record"] = record_of({{"customer_code", "B"},
                                      {"name", "b"},
                                      {"Created_by", json::object{{"code", "suzuki"}}},
                                      {"Created_datetime", "2020-02-02T02:02:02Z"}});
  EXPECT_EQ(code_of(call("POST", "/k/v1/record.json", with_creator)), "GAIA_NO01");
  const auto set = call("POST", "/k/v1/record.json", with_creator, token("customers-admin"));
  ASSERT_EQ(set.status, 200) << set.body;
  const auto r = get_record(1, std::string(set.json().at("id").as_string()));
  EXPECT_EQ(r.at("Created_by").at("value").at("code"), "suzuki");
  EXPECT_EQ(r.at("Created_datetime").at("value"), "2020-02-02T02:02:00Z");
}

TEST_F(kintone_auth, guest_space_apps_live_under_their_own_prefix) {
  const json::object body{{"app", 3}, {"record", record_of({{"customer_code", "G"}})}};
  const auto plain = call("POST", "/k/v1/record.json", body, token("guest-full"));
  EXPECT_EQ(plain.status, 400);
  EXPECT_EQ(code_of(plain), "GAIA_IL23");
  const auto guest = call("POST", "/k/guest/7/v1/record.json", body, token("guest-full"));
  ASSERT_EQ(guest.status, 200) << guest.body;
  EXPECT_EQ(call("GET", "/k/guest/7/v1/record.json?app=3&id=1", nullptr, token("guest-full"))
                .json()
                .at("record")
                .at("customer_code")
                .at("value"),
            "G");
  EXPECT_EQ(code_of(call("GET", "/k/guest/8/v1/records.json?app=3", nullptr, token("guest-full"))), "GAIA_AP01");
  EXPECT_EQ(code_of(call("GET", "/k/guest/7/v1/records.json?app=1")), "GAIA_AP01");
  EXPECT_EQ(call("GET", "/k/guest/7/v1/app.json?id=3", nullptr, token("guest-full")).json().at("spaceId"), "7");
}

TEST_F(kintone_auth, messages_are_japanese_unless_english_is_asked_for) {
  const auto ja = call("GET", "/k/v1/records.json?app=1", nullptr, no_auth);
  EXPECT_EQ(ja.json().at("message"), "ログインしてください。");
  const auto en = call("GET", "/k/v1/records.json?app=1", nullptr, {{"Accept-Language", "en"}});
  EXPECT_EQ(en.json().at("message"), "Please login.");
  const auto unknown = call("GET", "/k/v1/nothing.json");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(code_of(unknown), "CB_IL02");
}

}  // namespace
}  // namespace kintone_emulator::conformance
