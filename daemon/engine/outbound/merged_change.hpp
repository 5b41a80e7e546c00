#pragma once
// Merges the pending changes of one key into one Kizen operation (DESIGN.md: "merges pending
// changes of the same key"). Pure.
//
// A delete ends a segment: changes after it wait for the next round, so "delete then re-insert"
// archives first and creates afterwards, in commit order.

#include "connectors/postgres/outbox_change.hpp"

#include <boost/json/object.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

namespace ks::engine {

struct merged_change {
  enum class kind { write, archive };
  kind action = kind::write;
  bool began_with_insert = false;         // the key did not exist before the first change
  std::vector<std::int64_t> ids;          // every outbox change this operation completes
  std::set<std::string> changed_columns;  // union over the segment (all captured ones after insert)
  boost::json::object before;             // row image before the first change (empty after insert)
  boost::json::object after;              // row image after the last change (empty for archive)
  // The row image after each write change of the segment, in order (the last is `after` unless
  // the segment ends with a delete). An earlier attempt of this operation covered a prefix of these
  // changes, and its request may have landed even though its answer was lost (or the daemon died):
  // these are the states Kizen may hold besides `before`.
  std::vector<boost::json::object> images;
  std::chrono::system_clock::time_point first_change_at;
  std::chrono::system_clock::time_point last_change_at;
  int attempts = 0;  // the highest attempt count among the merged changes
  // A key update: the segment began with the insert of a row that moved here from this key (it
  // waits until the old key's changes are done, then writes to the same record) ...
  std::optional<std::string> moved_from;
  // ... or it ends with the delete of a row that moved to this key: the identity is handed over
  // and nothing is archived.
  std::optional<std::string> moved_to;
};

// `pending` holds one key's pending changes in outbox id order; must not be empty.
merged_change merge_changes(std::span<const pg::outbox_change> pending);

}  // namespace ks::engine
