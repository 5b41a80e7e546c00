// POST /k/v1/bulkRequest.json: several writes across apps, all or nothing.
#include "conformance_fixture.hpp"

namespace kintone_emulator::conformance {
namespace {

class kintone_bulk : public kintone_test {
 protected:
  const ks::test::header_list both{{"X-Cybozu-API-Token", "customers-full,deals-full"}};
  static json::object add_customer_request(const char* code) {
    return json::object{
        {"method", "POST"},
        {"api", "/k/v1/record.json"},
        {"payload", json::object{{"app", 1}, {"record", record_of({{"customer_code", code}, {"name", "n"}})}}}};
  }
  std::string total(int app) {
    const ks::test::header_list h{{"X-Cybozu-API-Token", app == 1 ? "customers-full" : "deals-full"}};
    return std::string(call("GET", "/k/v1/records.json?app=" + std::to_string(app) + "&totalCount=true", nullptr, h)
                           .json()
                           .at("totalCount")
                           .as_string());
  }
};

TEST_F(kintone_bulk, applies_every_request_across_apps) {
  const json::array requests{
      add_customer_request("A"),
      json::object{
          {"method", "POST"},
          {"api", "/k/v1/records.json"},
          {"payload", json::object{{"app", 2}, {"records", json::array{record_of({{"deal_id", 1}, {"title", "t"}})}}}}},
      json::object{{"method", "PUT"},
                   {"api", "/k/v1/record.json"},
                   {"payload", json::object{{"app", 1},
                                            {"updateKey", json::object{{"field", "customer_code"}, {"value", "A"}}},
                                            {"record", record_of({{"name", "renamed"}})}}}}};
  const auto r = call("POST", "/k/v1/bulkRequest.json", json::object{{"requests", requests}}, both);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json().at("results"),
            (json::array{json::object{{"id", "1"}, {"revision", "1"}},
                         json::object{{"ids", json::array{"1"}}, {"revisions", json::array{"1"}}},
                         json::object{{"revision", "2"}}}));
  EXPECT_EQ(get_record(1, "1").at("name").at("value"), "renamed");
}

TEST_F(kintone_bulk, a_failure_undoes_the_requests_before_it) {
  const json::array requests{add_customer_request("A"), add_customer_request("B"), add_customer_request("A"),
                             add_customer_request("C")};
  const auto r = call("POST", "/k/v1/bulkRequest.json", json::object{{"requests", requests}}, both);
  EXPECT_EQ(r.status, 400);
  const auto results = r.json().at("results").as_array();
  ASSERT_EQ(results.size(), 4u);
  EXPECT_EQ(results[0], json::value(json::object{}));
  EXPECT_EQ(results[2].at("code"), "CB_VA01");
  EXPECT_TRUE(results[2].at("errors").as_object().contains("record.customer_code.value"));
  EXPECT_EQ(results[3], json::value(json::object{}));
  EXPECT_EQ(total(1), "0");
  // A permission failure part-way undoes the rest too.
  const json::array mixed{add_customer_request("A"),
                          json::object{{"method", "DELETE"},
                                       {"api", "/k/v1/records.json"},
                                       {"payload", json::object{{"app", 2}, {"ids", json::array{1}}}}}};
  const auto denied = call("POST", "/k/v1/bulkRequest.json", json::object{{"requests", mixed}});
  EXPECT_EQ(denied.status, 403);
  EXPECT_EQ(denied.json().at("results").at(1).at("code"), "GAIA_NO01");
  EXPECT_EQ(total(1), "0");
}

TEST_F(kintone_bulk, takes_1_to_20_writes_of_the_record_endpoints) {
  json::array many;
  for (int i = 0; i < 21; ++i) many.push_back(add_customer_request("X"));
  EXPECT_EQ(code_of(call("POST", "/k/v1/bulkRequest.json", json::object{{"requests", many}})), "CB_VA01");
  EXPECT_EQ(code_of(call("POST", "/k/v1/bulkRequest.json", json::object{{"requests", json::array{}}})), "CB_VA01");
  const json::array get{
      json::object{{"method", "GET"}, {"api", "/k/v1/records.json"}, {"payload", json::object{{"app", 1}}}}};
  EXPECT_EQ(code_of(call("POST", "/k/v1/bulkRequest.json", json::object{{"requests", get}})), "CB_VA01");
  const json::array cursor{
      json::object{{"method", "POST"}, {"api", "/k/v1/records/cursor.json"}, {"payload", json::object{{"app", 1}}}}};
  EXPECT_EQ(code_of(call("POST", "/k/v1/bulkRequest.json", json::object{{"requests", cursor}})), "CB_VA01");
  const json::array guest{
      json::object{{"method", "POST"},
                   {"api", "/k/guest/7/v1/record.json"},
                   {"payload", json::object{{"app", 3}, {"record", record_of({{"customer_code", "G"}})}}}}};
  EXPECT_EQ(
      call("POST", "/k/v1/bulkRequest.json", json::object{{"requests", guest}}, {{"X-Cybozu-API-Token", "guest-full"}})
          .status,
      200);
}

}  // namespace
}  // namespace kintone_emulator::conformance
