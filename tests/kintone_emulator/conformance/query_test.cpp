// Get Records over sockets: the query language, paging limits, totalCount, fields[], method
// override for long queries, 414 past 8 KB.
#include "conformance_fixture.hpp"

namespace kintone_emulator::conformance {
namespace {

std::string encode(std::string_view text) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~')
      out += static_cast<char>(c);
    else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

class kintone_query : public kintone_test {
 protected:
  void SetUp() override {
    kintone_test::SetUp();
    add_customer("A", "Alpha", record_of({{"credit_limit", "100"}, {"status", "lead"}}));
    add_customer("B", "beta", record_of({{"credit_limit", "20"}, {"status", "active"}}));
    add_customer("C", "gamma", record_of({{"status", "active"}}));
  }
  // Customer codes of GET records.json?query=..., in order.
  std::string codes(const std::string& query) {
    const auto r = call("GET", "/k/v1/records.json?app=1&query=" + encode(query));
    EXPECT_EQ(r.status, 200) << query << ": " << r.body;
    if (r.status != 200) return "error";
    std::string out;
    const auto body = r.json();
    for (const auto& rec : body.at("records").as_array())
      out += std::string(rec.at("customer_code").at("value").as_string());
    return out;
  }
  std::string error(const std::string& query) {
    return code_of(call("GET", "/k/v1/records.json?app=1&query=" + encode(query)));
  }
};

TEST_F(kintone_query, filters_orders_and_pages) {
  EXPECT_EQ(codes(""), "CBA");
  EXPECT_EQ(codes("credit_limit > 50 or status in (\"active\") and name like \"AMM\""), "CA");
  EXPECT_EQ(codes("(credit_limit > 50 or status in (\"active\")) and name like \"AMM\""), "C");
  EXPECT_EQ(codes("order by status asc, credit_limit desc"), "BCA");
  EXPECT_EQ(codes("$id > 1 order by $id asc limit 1"), "B");
  EXPECT_EQ(codes("order by $id asc limit 2 offset 1"), "BC");
  EXPECT_EQ(codes("credit_limit is empty"), "C");
  EXPECT_EQ(codes("customer_code not in (\"A\", \"B\")"), "C");
}

TEST_F(kintone_query, totalcount_is_null_unless_asked_and_ignores_limit) {
  const auto plain = call("GET", "/k/v1/records.json?app=1&query=" + encode("limit 1"));
  EXPECT_TRUE(plain.json().at("totalCount").is_null());
  const auto counted = call("GET", "/k/v1/records.json?app=1&totalCount=true&query=" + encode("limit 1"));
  EXPECT_EQ(counted.json().at("totalCount"), "3");
  EXPECT_EQ(counted.json().at("records").as_array().size(), 1u);
}

TEST_F(kintone_query, fields_limits_what_comes_back) {
  const auto body = call("GET", "/k/v1/records.json?app=1&fields[0]=name&fields[1]=$id").json();
  const auto& rec = body.at("records").at(0).as_object();
  EXPECT_EQ(rec.size(), 2u);
  EXPECT_TRUE(rec.contains("name"));
  EXPECT_TRUE(rec.contains("$id"));
  EXPECT_EQ(code_of(call("GET", "/k/v1/records.json?app=1&fields[0]=nope")), "GAIA_IQ11");
}

TEST_F(kintone_query, errors_carry_kintone_codes) {
  EXPECT_EQ(error("name ==="), "CB_VA01");
  EXPECT_EQ(error("name = 'a'"), "CB_VA01");
  EXPECT_EQ(error("limit 501"), "GAIA_QU01");
  EXPECT_EQ(error("limit 500 offset 10001"), "GAIA_QU02");
  EXPECT_EQ(error("xyz = \"a\""), "GAIA_IQ11");
  EXPECT_EQ(error("notes = \"a\""), "GAIA_IQ03");
  EXPECT_EQ(error("tags in (\"unknown\")"), "GAIA_IQ10");
  const auto r = call("GET", "/k/v1/records.json?app=1&query=" + encode("name ==="));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(error_keys(r), (std::vector<std::string>{"query"}));
  EXPECT_EQ(call("GET", "/k/v1/records.json?app=1&query=" + encode("limit 501")).status, 400);
}

TEST_F(kintone_query, long_queries_go_as_post_with_method_override_and_long_urls_get_414) {
  std::string big = "customer_code in (\"A\"";
  while (big.size() < 9000) big += ", \"X" + std::to_string(big.size()) + "\"";
  big += ")";
  const std::string target = "/k/v1/records.json?app=1&query=" + encode(big);
  ASSERT_GT(target.size(), 8192u);
  const auto too_long = call("GET", target);
  EXPECT_EQ(too_long.status, 414);
  const auto posted = call("POST", "/k/v1/records.json", json::object{{"app", 1}, {"query", big}, {"totalCount", true}},
                           {{"X-Cybozu-API-Token", customers_full}, {"X-HTTP-Method-Override", "GET"}});
  ASSERT_EQ(posted.status, 200) << posted.body.substr(0, 300);
  EXPECT_EQ(posted.json().at("totalCount"), "1");
  // Without the override a POST to records.json is Add Records.
  const auto add = call("POST", "/k/v1/records.json", json::object{{"app", 1}, {"query", "x"}});
  EXPECT_EQ(code_of(add), "CB_VA01");
  const std::string just_below = "/k/v1/records.json?app=1&pad=" + std::string(8192 - 29, 'a');
  ASSERT_EQ(just_below.size(), 8192u);
  EXPECT_EQ(call("GET", just_below).status, 200);
}

}  // namespace
}  // namespace kintone_emulator::conformance
