// The query language: syntax, precedence, escapes, and checks against an app's fields.
#include <gtest/gtest.h>

#include "src/query.hpp"
#include "unit_support.hpp"

namespace kintone_emulator {
namespace {

parsed_query parse_ok(const std::string& text) {
  auto q = parse_query(text);
  EXPECT_TRUE(q) << text;
  return q ? std::move(q).value() : parsed_query{};
}

std::string error_code(const std::string& text) {
  auto q = parse_query(text);
  if (!q) return q.error().code;
  auto c = check_query(q.value(), test::customers(), test::default_schema());
  return c ? "" : c.error().code;
}

TEST(kintone_query_parser, reads_every_comparison_operator) {
  const std::pair<const char*, query_op> cases[] = {
      {"credit_limit = 1", query_op::eq},    {"credit_limit != 1", query_op::ne},
      {"credit_limit > 1", query_op::gt},    {"credit_limit < 1", query_op::lt},
      {"credit_limit >= 1", query_op::ge},   {"credit_limit <= 1", query_op::le},
      {"name like \"a\"", query_op::like},   {"name not like \"a\"", query_op::not_like},
      {"name is empty", query_op::is_empty}, {"name is not empty", query_op::is_not_empty}};
  for (const auto& [text, op] : cases) {
    const auto q = parse_ok(text);
    ASSERT_TRUE(q.where) << text;
    EXPECT_EQ(q.where->kind, query_condition::compare) << text;
    EXPECT_EQ(q.where->op, op) << text;
  }
  const auto in = parse_ok("status in (\"lead\", \"active\")");
  EXPECT_EQ(in.where->op, query_op::in);
  ASSERT_EQ(in.where->values.size(), 2u);
  EXPECT_EQ(in.where->values[1].text, "active");
  EXPECT_EQ(parse_ok("status not in (\"lead\")").where->op, query_op::not_in);
}

TEST(kintone_query_parser, and_binds_tighter_than_or_and_parentheses_override) {
  const auto q = parse_ok("name = \"a\" or name = \"b\" and email = \"c\"");
  ASSERT_EQ(q.where->kind, query_condition::any_of);
  ASSERT_EQ(q.where->children.size(), 2u);
  EXPECT_EQ(q.where->children[0].kind, query_condition::compare);
  EXPECT_EQ(q.where->children[1].kind, query_condition::all_of);
  const auto p = parse_ok("(name = \"a\" or name = \"b\") and email = \"c\"");
  ASSERT_EQ(p.where->kind, query_condition::all_of);
  EXPECT_EQ(p.where->children[0].kind, query_condition::any_of);
}

TEST(kintone_query_parser, unescapes_string_literals) {
  const auto q = parse_ok(R"(name = "say \"hi\" \\ ok")");
  EXPECT_EQ(q.where->values[0].text, R"(say "hi" \ ok)");
  EXPECT_TRUE(q.where->values[0].quoted);
}

TEST(kintone_query_parser, reads_order_by_several_keys_limit_and_offset) {
  const auto q = parse_ok("name = \"a\" order by credit_limit asc, $id desc limit 20 offset 40");
  ASSERT_EQ(q.order.size(), 2u);
  EXPECT_EQ(q.order[0].field, "credit_limit");
  EXPECT_TRUE(q.order[0].ascending);
  EXPECT_EQ(q.order[1].field, "$id");
  EXPECT_FALSE(q.order[1].ascending);
  EXPECT_EQ(q.limit, 20);
  EXPECT_EQ(q.offset, 40);
  const auto only = parse_ok("order by $id asc");
  EXPECT_FALSE(only.where);
  EXPECT_FALSE(parse_ok("").where);
  EXPECT_EQ(parse_ok("limit 5").limit, 5);
}

TEST(kintone_query_parser, refuses_malformed_queries_with_cb_va01) {
  for (const char* bad : {"name ===",
                          "name = 'a'",
                          "name = \"a\tb\"",
                          "name = \"a",
                          "name = \"\\n\"",
                          "name =",
                          "(name = \"a\"",
                          "name = \"a\")",
                          "name = \"a\" and",
                          "order by name",
                          "limit 5 order by $id asc",
                          "offset 5 limit 5",
                          "name in ()",
                          "name in \"a\"",
                          "name is null",
                          "limit -1",
                          "limit x",
                          "name = abc",
                          "updated = NOW()",
                          "name = \"a\" name = \"b\"",
                          "name not = \"a\"",
                          "name = \"a\" AND email = \"b\""}) {
    const auto q = parse_query(bad);
    ASSERT_FALSE(q) << bad;
    EXPECT_EQ(q.error().code, "CB_VA01") << bad;
    EXPECT_EQ(q.error().status, 400);
    ASSERT_EQ(q.error().errors.size(), 1u);
    EXPECT_EQ(q.error().errors[0].key, "query");
  }
}

TEST(kintone_query_check, caps_limit_and_offset) {
  EXPECT_EQ(error_code("limit 500"), "");
  EXPECT_EQ(error_code("limit 501"), "GAIA_QU01");
  EXPECT_EQ(error_code("limit 10 offset 10000"), "");
  EXPECT_EQ(error_code("limit 10 offset 10001"), "GAIA_QU02");
}

TEST(kintone_query_check, knows_fields_operators_and_options) {
  EXPECT_EQ(error_code("xyz = \"a\""), "GAIA_IQ11");
  EXPECT_EQ(error_code("order by xyz asc"), "GAIA_IQ11");
  EXPECT_EQ(error_code("contact_name = \"x\""), "GAIA_IQ11");  // SUBTABLE columns are not searchable here
  EXPECT_EQ(error_code("notes = \"foo\""), "GAIA_IQ03");
  EXPECT_EQ(error_code("name > \"a\""), "GAIA_IQ03");
  EXPECT_EQ(error_code("tags = \"vip\""), "GAIA_IQ03");
  EXPECT_EQ(error_code("status like \"a\""), "GAIA_IQ03");
  EXPECT_EQ(error_code("order by tags asc"), "GAIA_IQ03");
  EXPECT_EQ(error_code("tags in (\"unknown\")"), "GAIA_IQ10");
  EXPECT_EQ(error_code("status in (\"lead\", \"\")"), "");
  EXPECT_EQ(error_code("tags in (\"\")"), "GAIA_IQ10");
  EXPECT_EQ(error_code("owner in (\"nobody\")"), "GAIA_IL42");
  EXPECT_EQ(error_code("Created_by in (\"sato\")"), "");
  EXPECT_EQ(error_code("credit_limit > \"abc\""), "CB_VA01");
  EXPECT_EQ(error_code("birthday > \"2020/01/01\""), "CB_VA01");
  EXPECT_EQ(error_code("Updated_datetime > \"2025-01-01T00:00:00\""), "CB_VA01");
  EXPECT_EQ(error_code("Updated_datetime > \"2025-01-01T00:00:00+09:00\" order by Updated_datetime asc, $id asc"), "");
  EXPECT_EQ(error_code("$id > 10 and Record_number <= \"20\""), "");
  EXPECT_EQ(error_code("$revision > 1"), "GAIA_IQ11");
}

}  // namespace
}  // namespace kintone_emulator
