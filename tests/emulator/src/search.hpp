#pragma once
// POST /search: the filter groups of API-NOTES.md parsed against an object's schema into a tree,
// evaluated over the store, then ordered (ties broken by id) — no paging here.

#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
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
  // Search sees the store as it was at this time (fault_settings::search_lag_ms); none: now.
  std::optional<std::int64_t> visible_until_ms;
};

// Errors are messages for a 400 {"detail": ...}.
ks::result<search_plan, std::string> parse_search(const store& s, const object_def& object,
                                                  const boost::json::value* body, std::string_view ordering,
                                                  std::string_view term);

// Where a record sorts: blank, a number, or text.
struct sort_key {
  bool blank = true;
  long double number = 0;
  std::string text;
};

// The live records of an object that match a plan, ordered only as far as a page needs: a walk of
// a million records asks for the first hundred thousands of times.
class search_hits {
 public:
  search_hits(std::vector<std::pair<sort_key, const record*>> hits, bool descending)
      : hits_(std::move(hits)), descending_(descending) {}
  std::size_t size() const { return hits_.size(); }
  // The first `n` hits in the plan's order (ties broken by id): O(size · log n).
  std::vector<const record*> first(std::size_t n);

 private:
  std::vector<std::pair<sort_key, const record*>> hits_;
  bool descending_;
};

search_hits find_hits(const store& s, std::size_t object, const search_plan& plan);

// Every live record of the object matching the plan, in order.
std::vector<const record*> run_search(const store& s, std::size_t object, const search_plan& plan);

}  // namespace kizen_emulator
