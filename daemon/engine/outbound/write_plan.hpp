#pragma once
// Turns a merged change into the field writes of one Kizen request (DESIGN.md "To Kizen"):
// an update sends only the changed mapped columns, a create (or a full rewrite) sends all of them;
// `from_kizen` fields are never sent; multi-value fields send add_values/remove_values computed
// from the before and after images, and from the images in between when several changes merged
// (so the request is right even if an earlier attempt applied some of them and lost the answer);
// relationships send the referenced rows' Kizen ids. Pure.

#include "common/key_ref.hpp"
#include "common/result.hpp"
#include "connectors/kizen/field_write.hpp"
#include "daemon/engine/mapping/field_binding.hpp"
#include "daemon/engine/outbound/merged_change.hpp"

#include <boost/json/value.hpp>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace ks::engine {

struct planned_write {
  std::string field_name;                      // Kizen API name
  std::string field_id;                        // Kizen field UUID
  std::optional<boost::json::value> value;     // single-value fields (null clears)
  std::vector<boost::json::value> add_values;  // multi-value fields
  std::vector<boost::json::value> remove_values;
  bool multi() const { return !value.has_value(); }
};

// The Kizen record id of a row another mapping's relationship column references, or nullopt if
// it has none (yet).
using kizen_id_lookup = std::function<std::optional<std::string>(const key_ref&)>;

struct plan_error {
  std::string message;  // names the column and the problem (a bad value: permanent)
};

struct write_plan {
  std::vector<planned_write> writes;
  // References with no Kizen id yet. Their columns were left out of `writes` (in full) and are
  // listed in `incomplete_columns`: the caller either waits, or sends what it has and follows up
  // with an update of those columns once the referenced rows exist in Kizen.
  std::vector<key_ref> unresolved;
  std::vector<std::string> incomplete_columns;
};

// The references a write of this change needs resolved (new values only; old values that cannot be
// resolved are simply not removed). `full`: a create or full rewrite (all sent columns).
std::vector<key_ref> references_needed(const object_binding& object, const merged_change& change, bool full);

// The writes for this change. An update whose changed columns are all unsent yields no writes.
ks::result<write_plan, plan_error> plan_writes(const object_binding& object, const merged_change& change, bool full,
                                               const kizen_id_lookup& lookup);

// The Kizen request fields of planned writes.
std::vector<kizen::field_write> to_field_writes(const std::vector<planned_write>& writes);

std::string describe(const std::vector<key_ref>& refs);  // "companies/7, companies/9"

}  // namespace ks::engine
