// Cursors over sockets: paging, deletion after the last page, the limit of 10 per domain, and
// expiry on the emulator clock.
#include "conformance_fixture.hpp"

namespace kintone_emulator::conformance {
namespace {

class kintone_cursor : public kintone_test {
 protected:
  std::string create(const json::object& extra = {}) {
    json::object body{{"app", 1}, {"size", 2}, {"query", "order by $id asc"}};
    for (const auto& [k, v] : extra) body[k] = v;
    const auto r = call("POST", "/k/v1/records/cursor.json", body);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? std::string(r.json().at("id").as_string()) : std::string();
  }
  ks::test::http_reply read(const std::string& id) { return call("GET", "/k/v1/records/cursor.json?id=" + id); }
};

TEST_F(kintone_cursor, pages_in_order_and_is_gone_after_the_last_page) {
  for (const char* c : {"A", "B", "C"}) add_customer(c, "n");
  const auto made = call(
      "POST", "/k/v1/records/cursor.json",
      json::object{{"app", 1}, {"size", 2}, {"fields", json::array{"customer_code"}}, {"query", "order by $id asc"}});
  ASSERT_EQ(made.status, 200);
  EXPECT_EQ(made.json().at("totalCount"), "3");
  const std::string id(made.json().at("id").as_string());
  const auto p1 = read(id).json();
  EXPECT_EQ(p1.at("next"), true);
  ASSERT_EQ(p1.at("records").as_array().size(), 2u);
  EXPECT_EQ(p1.at("records").at(0).as_object().size(), 1u);
  EXPECT_EQ(p1.at("records").at(1).at("customer_code").at("value"), "B");
  const auto p2 = read(id).json();
  EXPECT_EQ(p2.at("next"), false);
  EXPECT_EQ(p2.at("records").at(0).at("customer_code").at("value"), "C");
  const auto gone = read(id);
  EXPECT_EQ(gone.status, 404);
  EXPECT_EQ(code_of(gone), "GAIA_CN01");
  EXPECT_EQ(code_of(call("DELETE", "/k/v1/records/cursor.json", json::object{{"id", id}})), "GAIA_CN01");
}

TEST_F(kintone_cursor, delete_frees_it_and_size_and_query_are_checked) {
  const auto id = create();
  EXPECT_EQ(control("GET", "/__emulator/cursors").json().at("live"), 1);
  const auto del = call("DELETE", "/k/v1/records/cursor.json", json::object{{"id", id}});
  EXPECT_EQ(del.status, 200);
  EXPECT_EQ(del.json(), json::value(json::object{}));
  EXPECT_EQ(control("GET", "/__emulator/cursors").json().at("live"), 0);
  EXPECT_EQ(code_of(call("POST", "/k/v1/records/cursor.json", json::object{{"app", 1}, {"size", 501}})), "CB_VA01");
  EXPECT_EQ(code_of(call("POST", "/k/v1/records/cursor.json", json::object{{"app", 1}, {"query", "limit 5"}})),
            "CB_VA01");
  EXPECT_EQ(code_of(call("POST", "/k/v1/records/cursor.json",
                         json::object{{"app", 1}, {"query", "order by $id asc offset 5"}})),
            "CB_VA01");
  EXPECT_EQ(code_of(call("POST", "/k/v1/records/cursor.json", json::object{{"app", 1}, {"query", "nope = 1"}})),
            "GAIA_IQ11");
  EXPECT_EQ(code_of(call("GET", "/k/v1/records/cursor.json?id=no-such-cursor")), "GAIA_CN01");
  // Reading someone's cursor needs view rights on its app.
  const auto other = create();
  EXPECT_EQ(
      code_of(call("GET", "/k/v1/records/cursor.json?id=" + other, nullptr, {{"X-Cybozu-API-Token", "deals-full"}})),
      "GAIA_NO01");
}

TEST_F(kintone_cursor, the_eleventh_live_cursor_is_refused_with_429) {
  for (int i = 0; i < 10; ++i) ASSERT_FALSE(create().empty());
  const auto refused = call("POST", "/k/v1/records/cursor.json", json::object{{"app", 1}});
  EXPECT_EQ(refused.status, 429);
  EXPECT_EQ(code_of(refused), "GAIA_TM12");
  // Any app of the domain counts.
  EXPECT_EQ(code_of(call("POST", "/k/v1/records/cursor.json", json::object{{"app", 2}},
                         {{"X-Cybozu-API-Token", "deals-full"}})),
            "GAIA_TM12");
}

TEST_F(kintone_cursor, expires_ten_minutes_after_creation_or_its_last_read) {
  for (const char* c : {"A", "B", "C", "D", "E"}) add_customer(c, "n");
  ASSERT_EQ(control("PUT", "/__emulator/clock", json::object{{"frozen", true}}).status, 200);
  const auto idle = create();
  const auto busy = create();
  control("PUT", "/__emulator/clock", json::object{{"advance_seconds", 9 * 60}});
  EXPECT_EQ(read(busy).status, 200);  // now lives until minute 19
  control("PUT", "/__emulator/clock", json::object{{"advance_seconds", 60}});
  EXPECT_EQ(code_of(read(idle)), "GAIA_CN01");
  control("PUT", "/__emulator/clock", json::object{{"advance_seconds", 8 * 60 + 59}});
  EXPECT_EQ(read(busy).status, 200);
  control("PUT", "/__emulator/clock", json::object{{"advance_seconds", 10 * 60}});
  EXPECT_EQ(code_of(read(busy)), "GAIA_CN01");
  // Expired cursors no longer count against the ten.
  for (int i = 0; i < 10; ++i) ASSERT_FALSE(create().empty());
}

}  // namespace
}  // namespace kintone_emulator::conformance
