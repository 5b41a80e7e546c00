#pragma once
// What applying one merged change to Kizen came to (identity_resolution's result); the outcome
// policy turns it into what the outbox records.

#include "common/key_ref.hpp"
#include "connectors/kizen/error.hpp"
#include "connectors/kizen/record.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ks::engine {

struct outbound_outcome {
  enum class kind {
    applied,        // Kizen has the change (entity_id says which record)
    nothing_to_do,  // e.g. a row deleted before it ever reached Kizen
    retry,          // a retryable failure (network, timeout, 429, 5xx)
    dead,           // a permanent failure (400, 403, a bad value, ambiguity)
    wait,           // referenced rows must reach Kizen first; no attempt consumed
  };
  kind what = kind::nothing_to_do;
  std::optional<std::string> entity_id;
  std::optional<std::chrono::sys_time<std::chrono::microseconds>> kizen_updated;  // the record's `updated`
  bool forget_identity = false;  // the record is archived, or the stored identity was stale
  std::string message;           // the reason, for logs and last_error (never secrets)
  std::optional<int> http_status;
  std::optional<kizen::error_kind> failure_kind;  // retry, dead: how the request failed
  std::optional<std::chrono::milliseconds> retry_after;
  bool throttled = false;  // retry: Kizen refused the request for our rate (429), nothing failed
  // applied: columns left out of a create because their references had no Kizen id yet; a
  // follow-up update of them is queued.
  std::vector<std::string> follow_up_columns;
  // wait: the referenced rows to bring to Kizen first.
  std::vector<key_ref> waiting_for;
  std::string path;           // how it was applied: patch, upsert, add, archive, ... (for logs)
  int requests = 0;           // Kizen requests made
  bool create_noted = false;  // an upsert or add was noted as attempted before it was sent (it may have arrived)
  // applied: a key update, nothing sent; the identity (entity_id) goes to this key.
  std::optional<std::string> identity_moved_to;
};

// The outcome of a failed request: retry (retryable) or dead (permanent). `what` names the call.
outbound_outcome failure_outcome(const kizen::error& e, std::string_view what);
// The outcome of a request that left `rec` holding the change.
outbound_outcome applied_outcome(const kizen::record& rec, std::string path);

}  // namespace ks::engine
