#pragma once
// The Kintone query language (the `query` parameter of Get Records and Add Cursor):
//   condition [order by f1 asc|desc, ...] [limit N] [offset N]
// with = != > < >= <=, in (...), not in (...), like, not like, is empty, is not empty, and/or
// ("and" binds tighter) and parentheses. String literals are double-quoted; a backslash escapes
// a double quote or a backslash. parse_query() checks the syntax; check_query() the fields.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "errors.hpp"
#include "schema.hpp"

namespace kintone_emulator {

enum class query_op { eq, ne, gt, lt, ge, le, in, not_in, like, not_like, is_empty, is_not_empty };

std::string_view op_text(query_op op);

struct query_literal {
  bool quoted = false;  // "text" (true) or a bare number (false)
  std::string text;     // unescaped
};

struct query_condition {
  enum kind_t { compare, all_of, any_of } kind = compare;
  // compare
  std::string field;
  query_op op = query_op::eq;
  std::vector<query_literal> values;  // one, or the list of in / not in; none for is [not] empty
  // all_of (and) / any_of (or)
  std::vector<query_condition> children;
};

struct order_key {
  std::string field;
  bool ascending = false;
};

struct parsed_query {
  std::optional<query_condition> where;
  std::vector<order_key> order;
  std::optional<std::int64_t> limit;
  std::optional<std::int64_t> offset;
};

inline constexpr std::int64_t max_limit = 500;
inline constexpr std::int64_t default_limit = 100;
inline constexpr std::int64_t max_offset = 10000;

// Syntax only: a malformed query is 400 CB_VA01 with errors.query.
ks::result<parsed_query, api_error> parse_query(std::string_view text);

// Fields, operators and literals against the app; limit ≤ 500 (GAIA_QU01), offset ≤ 10,000
// (GAIA_QU02). `directory` resolves user codes of in (...) on user fields.
ks::result<void, api_error> check_query(const parsed_query& q, const app_def& app, const schema& directory);

}  // namespace kintone_emulator
