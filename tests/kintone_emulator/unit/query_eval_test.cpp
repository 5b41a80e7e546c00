// Evaluating queries over records: every operator, blanks, ordering by several keys.
#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "src/query_eval.hpp"
#include "src/record_writer.hpp"
#include "src/time_format.hpp"
#include "unit_support.hpp"

namespace kintone_emulator {
namespace {

namespace json = boost::json;

class kintone_query_eval : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* rows[] = {
        R"({"customer_code":{"value":"A"},"name":{"value":"Alpha Corp"},"credit_limit":{"value":"100"},"tags":{"value":["vip"]},"status":{"value":"lead"},"birthday":{"value":"1990-01-01"},"owner":{"value":[{"code":"sato"}]}})",
        R"({"customer_code":{"value":"B"},"name":{"value":"beta"},"credit_limit":{"value":"9.5"},"tags":{"value":["vip","partner"]},"status":{"value":"active"}})",
        R"({"customer_code":{"value":"C"},"name":{"value":"Gamma \"quoted\""},"tags":{"value":[]},"birthday":{"value":"1985-06-30"}})",
        R"({"customer_code":{"value":"D"},"name":{"value":"beta"},"credit_limit":{"value":"-3"},"status":{"value":"active"}})",
    };
    std::vector<json::value> records;
    for (const char* r : rows) records.push_back(json::parse(r));
    writer_identity who{{"admin", "Administrator User"}, true, errors::no_privilege()};
    record_writer w(store_, test::customers(), *parse_datetime("2025-01-01T00:00:00Z"), who);
    ASSERT_TRUE(w.add(records, true));
  }

  // The customer codes the query selects, in order.
  std::string run(const std::string& text) {
    auto q = parse_query(text);
    EXPECT_TRUE(q) << text;
    auto checked = check_query(q.value(), test::customers(), test::default_schema());
    EXPECT_TRUE(checked) << text << ": " << (checked ? "" : checked.error().code);
    std::string out;
    for (const auto* r : select_records(q.value(), test::customers(), store_.records(1)))
      out += std::string(r->values.at("customer_code").as_string());
    return out;
  }

  store store_{test::default_schema()};
};

TEST_F(kintone_query_eval, default_order_is_id_descending) { EXPECT_EQ(run(""), "DCBA"); }

TEST_F(kintone_query_eval, comparisons_on_numbers_are_numeric_and_skip_blanks) {
  EXPECT_EQ(run("credit_limit > 9"), "BA");  // "100" > 9 numerically; C is blank
  EXPECT_EQ(run("credit_limit < 10"), "DB");
  EXPECT_EQ(run("credit_limit >= 9.5"), "BA");
  EXPECT_EQ(run("credit_limit <= -3"), "D");
  EXPECT_EQ(run("credit_limit = \"100.0\""), "A");
  EXPECT_EQ(run("credit_limit != 100"), "DCB");
  EXPECT_EQ(run("credit_limit in (9.5, \"-3\")"), "DB");
  EXPECT_EQ(run("credit_limit not in (9.5)"), "DCA");
  EXPECT_EQ(run("credit_limit is empty"), "C");
  EXPECT_EQ(run("credit_limit is not empty"), "DBA");
}

TEST_F(kintone_query_eval, text_equality_is_exact_and_like_is_a_case_insensitive_substring) {
  EXPECT_EQ(run("name = \"beta\""), "DB");
  EXPECT_EQ(run("name = \"Beta\""), "");
  EXPECT_EQ(run("name != \"beta\""), "CA");
  EXPECT_EQ(run("name like \"CORP\""), "A");
  EXPECT_EQ(run("name not like \"et\""), "CA");
  EXPECT_EQ(run(R"(name = "Gamma \"quoted\"")"), "C");
  EXPECT_EQ(run("email is empty"), "DCBA");
  EXPECT_EQ(run("customer_code in (\"A\", \"C\")"), "CA");
}

TEST_F(kintone_query_eval, selections_users_and_dates) {
  EXPECT_EQ(run("tags in (\"vip\")"), "BA");
  EXPECT_EQ(run("tags in (\"partner\")"), "B");
  EXPECT_EQ(run("tags not in (\"vip\")"), "DC");
  EXPECT_EQ(run("tags is empty"), "DC");
  EXPECT_EQ(run("status in (\"\")"), "C");
  EXPECT_EQ(run("status not in (\"active\")"), "CA");
  EXPECT_EQ(run("owner in (\"sato\")"), "A");
  EXPECT_EQ(run("Created_by in (\"admin\")"), "DCBA");
  EXPECT_EQ(run("birthday < \"1990-01-01\""), "C");
  EXPECT_EQ(run("birthday >= \"1985-06-30\""), "CA");
  EXPECT_EQ(run("birthday is empty"), "DB");
  EXPECT_EQ(run("Created_datetime = \"2025-01-01T09:00:00+09:00\""), "DCBA");
  EXPECT_EQ(run("Updated_datetime > \"2025-01-01T00:00:00Z\""), "");
  EXPECT_EQ(run("$id > 2"), "DC");
  EXPECT_EQ(run("Record_number in (1, 4)"), "DA");
}

TEST_F(kintone_query_eval, precedence_changes_the_result) {
  // and first: A or (beta and active) = A, B, D; bracketed: (A or beta) and active = B, D.
  EXPECT_EQ(run("customer_code = \"A\" or name = \"beta\" and status in (\"active\")"), "DBA");
  EXPECT_EQ(run("(customer_code = \"A\" or name = \"beta\") and status in (\"active\")"), "DB");
  EXPECT_EQ(run("customer_code = \"A\" or (customer_code = \"B\" or customer_code = \"C\") and tags in (\"vip\")"),
            "BA");
}

TEST_F(kintone_query_eval, orders_by_several_keys_with_blanks_first_ascending) {
  EXPECT_EQ(run("order by credit_limit asc"), "CDBA");
  EXPECT_EQ(run("order by credit_limit desc"), "ABDC");
  EXPECT_EQ(run("order by name asc, customer_code desc"), "ACDB");  // "Alpha" < "Gamma" < "beta" bytewise
  EXPECT_EQ(run("order by name asc, customer_code asc"), "ACBD");
  EXPECT_EQ(run("order by status asc, $id asc"), "CBDA");
  EXPECT_EQ(run("order by $id asc"), "ABCD");
}

}  // namespace
}  // namespace kintone_emulator
