#include "connectors/postgres/sql_quote.hpp"
#include "connectors/postgres/values.hpp"

#include <gtest/gtest.h>

namespace ks::pg {
namespace {

TEST(pg_sql_quote, identifiers_are_always_quoted_with_inner_quotes_doubled) {
  EXPECT_EQ(quote_identifier("kizen_sync"), "\"kizen_sync\"");
  EXPECT_EQ(quote_identifier("Sync Schema"), "\"Sync Schema\"");
  EXPECT_EQ(quote_identifier("a\"b"), "\"a\"\"b\"");
  EXPECT_EQ(quote_identifier("x\"; DROP TABLE t; --"), "\"x\"\"; DROP TABLE t; --\"");
  EXPECT_EQ(qualified_name("My App", "Customer Table"), "\"My App\".\"Customer Table\"");
}

TEST(pg_sql_quote, literals_escape_quotes_and_backslashes) {
  EXPECT_EQ(quote_literal("plain"), "E'plain'");
  EXPECT_EQ(quote_literal("it's"), "E'it''s'");
  EXPECT_EQ(quote_literal("back\\slash"), "E'back\\\\slash'");
  EXPECT_EQ(quote_literal(""), "E''");
}

TEST(pg_sql_quote, identifier_problems_are_named) {
  EXPECT_EQ(identifier_problem("kizen_sync"), "");
  EXPECT_EQ(identifier_problem("Sync Schema"), "");
  EXPECT_EQ(identifier_problem(std::string(63, 'a')), "");
  EXPECT_NE(identifier_problem(std::string(64, 'a')).find("63 bytes"), std::string::npos);
  EXPECT_EQ(identifier_problem(""), "is empty");
  EXPECT_EQ(identifier_problem(std::string("a\0b", 3)), "contains a NUL byte");
}

TEST(pg_values, microsecond_timestamps_round_trip) {
  const auto t = from_micros(1'733'000'123'456'789);
  EXPECT_EQ(to_micros(t), 1'733'000'123'456'789);
}

}  // namespace
}  // namespace ks::pg
