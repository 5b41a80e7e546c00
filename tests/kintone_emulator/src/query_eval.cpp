#include "query_eval.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>

#include "decimal.hpp"
#include "record_render.hpp"
#include "time_format.hpp"
#include "value_codec.hpp"

namespace kintone_emulator {

namespace json = boost::json;

namespace {

using ft = field_type;

bool numeric(ft t) { return t == ft::number || t == ft::id || t == ft::record_number; }
bool timed(ft t) { return t == ft::datetime || t == ft::created_time || t == ft::updated_time; }

// The comparable text of a single-valued field ("" when blank).
std::string scalar_text(const field_def& f, const stored_record& r) {
  const json::value v = read_value(f, r);
  if (v.is_string()) return std::string(v.get_string());
  if (v.is_object()) return std::string(v.get_object().at("code").get_string());  // CREATOR, MODIFIER
  return {};
}

// Every value of the field as text: the elements of a list field, user codes, or the one value.
std::vector<std::string> texts(const field_def& f, const stored_record& r) {
  const json::value v = read_value(f, r);
  std::vector<std::string> out;
  if (v.is_array()) {
    for (const auto& item : v.get_array()) {
      if (item.is_string())
        out.emplace_back(item.get_string());
      else if (item.is_object())
        out.emplace_back(item.get_object().at("code").get_string());
    }
  } else {
    out.push_back(scalar_text(f, r));
  }
  return out;
}

// Orders a (non-blank) field value against a literal: numbers numerically, times by instant,
// texts and dates by their characters.
int compare_to(const field_def& f, const std::string& value, const std::string& literal) {
  if (numeric(f.type)) return compare_numbers(value, *normalise_number(literal));
  if (timed(f.type)) {
    const auto a = *parse_datetime(value), b = *parse_datetime(literal);
    return a < b ? -1 : a > b ? 1 : 0;
  }
  const int c = value.compare(literal);
  return c < 0 ? -1 : c > 0 ? 1 : 0;
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool in_list(const field_def& f, const stored_record& r, const std::vector<query_literal>& values) {
  for (const auto& have : texts(f, r)) {
    for (const auto& v : values) {
      if (numeric(f.type)) {
        if (!have.empty() && compare_to(f, have, v.text) == 0) return true;
      } else if (have == v.text) {
        return true;
      }
    }
  }
  return false;
}

bool compare(const field_def& f, const stored_record& r, query_op op, const query_literal& v) {
  const std::string have = scalar_text(f, r);
  if (op == query_op::eq || op == query_op::ne) {
    bool equal;
    if (numeric(f.type) || timed(f.type) || f.type == ft::date)
      equal = !have.empty() && compare_to(f, have, v.text) == 0;
    else
      equal = have == v.text;
    return op == query_op::eq ? equal : !equal;
  }
  if (have.empty()) return false;  // a blank value is neither greater nor less than anything
  const int c = compare_to(f, have, v.text);
  switch (op) {
    case query_op::gt: return c > 0;
    case query_op::lt: return c < 0;
    case query_op::ge: return c >= 0;
    case query_op::le: return c <= 0;
    default: return false;
  }
}

// Sorting: blanks first ascending (last descending), then by the comparison above.
int order_values(const field_def& f, const stored_record& a, const stored_record& b) {
  const std::string x = scalar_text(f, a), y = scalar_text(f, b);
  if (x.empty() || y.empty()) return x.empty() == y.empty() ? 0 : x.empty() ? -1 : 1;
  if (numeric(f.type)) return compare_numbers(x, y);
  if (timed(f.type)) return compare_to(f, x, y);
  const int c = x.compare(y);
  return c < 0 ? -1 : c > 0 ? 1 : 0;
}

}  // namespace

bool matches(const query_condition& c, const app_def& app, const stored_record& r) {
  switch (c.kind) {
    case query_condition::all_of:
      for (const auto& child : c.children)
        if (!matches(child, app, r)) return false;
      return true;
    case query_condition::any_of:
      for (const auto& child : c.children)
        if (matches(child, app, r)) return true;
      return false;
    case query_condition::compare: break;
  }
  const field_def& f = *app.field(c.field);
  switch (c.op) {
    case query_op::in: return in_list(f, r, c.values);
    case query_op::not_in: return !in_list(f, r, c.values);
    case query_op::like:
    case query_op::not_like: {
      const bool found = lower(scalar_text(f, r)).find(lower(c.values.front().text)) != std::string::npos;
      return c.op == query_op::like ? found : !found;
    }
    case query_op::is_empty: return is_blank(read_value(f, r));
    case query_op::is_not_empty: return !is_blank(read_value(f, r));
    default: return compare(f, r, c.op, c.values.front());
  }
}

std::vector<const stored_record*> select_records(const parsed_query& q, const app_def& app, const record_map& records) {
  std::vector<const stored_record*> out;
  for (const auto& [id, r] : records)
    if (!q.where || matches(*q.where, app, r)) out.push_back(&r);
  std::vector<std::pair<const field_def*, bool>> keys;
  for (const auto& k : q.order) keys.emplace_back(app.field(k.field), k.ascending);
  std::stable_sort(out.begin(), out.end(), [&](const stored_record* a, const stored_record* b) {
    for (const auto& [f, ascending] : keys) {
      const int c = order_values(*f, *a, *b);
      if (c != 0) return ascending ? c < 0 : c > 0;
    }
    return a->id > b->id;
  });
  return out;
}

}  // namespace kintone_emulator
