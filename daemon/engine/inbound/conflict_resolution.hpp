#pragma once
// What to do when a Kizen record arrives for a row whose own changes are still queued for Kizen
// (DESIGN.md "From Kizen", issue 5), decided per field:
//   newest_wins   — the later of Kizen's `updated` and the queued change's commit time wins;
//   database_wins — queued database values win: Kizen's value of those fields is not written;
//   kizen_wins    — Kizen's value is written and the queued change of that field is dropped.
// Pure; the caller logs `decisions` (both values' times) and applies the result.

#include "config/config.hpp"

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace ks::engine {

using wall_time = std::chrono::system_clock::time_point;

struct conflict_resolution {
  std::vector<std::string> write;         // columns to take from Kizen
  std::vector<std::string> keep;          // columns whose queued database value wins
  std::vector<std::string> drop_pending;  // columns whose queued change Kizen supersedes
  std::vector<std::string> decisions;     // one readable line per conflicting column
};

// `received`: the columns the record carries; `pending`: column → commit time of the latest
// queued change of that column; `kizen_updated`: the record's `updated`; `unchanged_in_kizen`:
// received columns whose Kizen value still equals the value last synced. A queued column Kizen
// did not change is no conflict, whatever the policy: the record carries its old value only
// because a record always carries every field, so the database value is kept (and sent).
conflict_resolution resolve_conflicts(config::conflict_policy policy, const std::vector<std::string>& received,
                                      const std::map<std::string, wall_time>& pending, wall_time kizen_updated,
                                      const std::vector<std::string>& unchanged_in_kizen = {});

}  // namespace ks::engine
