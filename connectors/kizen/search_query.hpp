#pragma once
// What POST /api/records/{object}/search is asked: filter groups (AND/OR within a group, groups
// nested in groups, AND/OR across the top-level groups), the fields to return, and the
// query-string options.

#include <boost/json/value.hpp>
#include <boost/json/value_from.hpp>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace ks::kizen {

struct search_filter {
  // Built-in fields (name, email, created, updated, ...) are {"type":"fields","subtype":
  // "non_custom","field":"<api name>"}; custom fields {"type":"fields_v2","subtype":"custom",
  // "field":"\"custom\"::<field uuid>"}.
  bool custom = false;
  std::string field;                        // API name (built-in) or field UUID (custom)
  std::string condition;                    // "=", ">", "contains", "is_blank", ...
  std::optional<boost::json::value> value;  // omitted from the body when nullopt

  // A condition without a value (e.g. "is_blank").
  static search_filter builtin(std::string name, std::string condition) {
    return {false, std::move(name), std::move(condition), std::nullopt};
  }
  // `value`: anything boost::json::value_from accepts (string, number, json::array, ...).
  template <class V>
  static search_filter builtin(std::string name, std::string condition, V&& value) {
    return {false, std::move(name), std::move(condition), boost::json::value_from(std::forward<V>(value))};
  }
  static search_filter custom_field(std::string field_uuid, std::string condition) {
    return {true, std::move(field_uuid), std::move(condition), std::nullopt};
  }
  template <class V>
  static search_filter custom_field(std::string field_uuid, std::string condition, V&& value) {
    return {true, std::move(field_uuid), std::move(condition), boost::json::value_from(std::forward<V>(value))};
  }
};

struct filter_group {
  bool all = true;  // "and": true = every member must match, false = any
  // Filters, and nested groups sent as {"and": ..., "filters": [...]} items, in this order.
  // At most max_group_depth levels in all.
  std::vector<std::variant<search_filter, filter_group>> filters;
};

inline constexpr int max_group_depth = 16;

struct search_query {
  std::vector<filter_group> groups;
  bool all_groups = true;                // top-level "and" across groups
  std::vector<std::string> field_names;  // fields to return; empty = the server's default
  std::string ordering;                  // e.g. "updated", "-updated"; empty = server default
  std::string search;                    // free-text search term; empty = none
  std::optional<int> page_size;          // nullopt = server default
};

}  // namespace ks::kizen
