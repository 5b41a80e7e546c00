#pragma once
// POST /search: the filter groups of API-NOTES.md parsed against an object's schema into a tree,
// evaluated over the store, then ordered (ties broken by id) — no paging here.

#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "record_render.hpp"
#include "schema.hpp"
#include "search_filter.hpp"
#include "store.hpp"

namespace kizen_emulator {

struct search_plan {
  std::optional<filter_node> filter;
  field_selection selection;
  std::string term;  // lower-case; empty = none
  std::vector<const field_def*> term_fields;
  bool term_full_name = false;             // contacts' default search also matches "first last"
  const field_def* order_field = nullptr;  // nullptr = created
  bool descending = false;
};

// Errors are messages for a 400 {"detail": ...}.
ks::result<search_plan, std::string> parse_search(const store& s, const object_def& object,
                                                  const boost::json::value* body, std::string_view ordering,
                                                  std::string_view term);

// Live records of the object matching the plan, in order.
std::vector<const record*> run_search(const store& s, std::size_t object, const search_plan& plan);

}  // namespace kizen_emulator
