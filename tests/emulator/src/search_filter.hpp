#pragma once
// The filter groups of a search (API-NOTES.md "Search"), parsed against an object's schema into a
// tree and evaluated on a record; and how filters and sorting read a stored value.

#include <boost/json/value.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "schema.hpp"
#include "store.hpp"

namespace kizen_emulator {

enum class condition {
  eq,
  ne,
  contains,
  not_contains,
  starts_with,
  ends_with,
  is_blank,
  lt,
  le,
  gt,
  ge,
  between,
  is_any_of,
  is_none_of,
  has,
  not_has,
  has_any,
  not_has_any
};

struct filter_leaf {
  const field_def* field = nullptr;
  condition cond = condition::eq;
  bool want_blank = true;            // is_blank
  bool flag = false;                 // checkbox
  std::vector<std::string> texts;    // lower-case text, dates, option ids, record ids
  std::vector<long double> numbers;  // integer/decimal/money
  std::vector<std::int64_t> times;   // datetimes (epoch ms)
};

struct filter_node {
  bool leaf = false;
  bool all = true;  // and (true) / or (false) over children
  std::vector<filter_node> children;
  filter_leaf condition;
};

// What a field's values compare as.
enum class value_family { text, number, date, datetime, checkbox, select, tags, relationship };
value_family family_of(const field_def& f);
// A stored number (integer, or decimal text) as a long double.
long double stored_number(const field_value& v);
std::string lower_text(std::string_view s);

// One group `group` at `where` (for messages), nested `depth` deep. Errors are messages for a
// 400 {"detail": ...}.
ks::result<filter_node, std::string> parse_filter(const store& s, const object_def& object,
                                                  const boost::json::value& group, const std::string& where, int depth);
ks::result<filter_node, std::string> parse_filter_group(const store& s, const object_def& object,
                                                        const boost::json::value& group);
bool matches(const store& s, const record& r, const filter_node& node);

}  // namespace kizen_emulator
