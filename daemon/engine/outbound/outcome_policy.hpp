#pragma once
// What the outbox records for one merged change once its outcome is known: done (with the
// identity and the values both sides now agree on), retry after a delay, wait for referenced rows,
// or dead with the reason. Pure; outcome_writer performs it in one transaction.
//
// Retries back off by attempt (kizen::retry_policy) and end in a dead letter after max_attempts.
// A throttled request (429) is no failed attempt: Kizen did not act on it, and waiting out its
// Retry-After is the cure, so throttling delays changes but never dead-letters them. An upsert or
// add noted as attempted still counts: it tells the next attempt to look for the record first.

#include "connectors/kizen/retry_policy.hpp"
#include "daemon/engine/mapping/field_binding.hpp"
#include "daemon/engine/outbound/merged_change.hpp"
#include "daemon/engine/outbound/outbound_outcome.hpp"
#include "daemon/engine/outbound/reference_wait.hpp"

#include <boost/json/object.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace ks::engine {

struct outbound_decision {
  enum class kind {
    done,   // the changes are applied (or there was nothing to apply)
    retry,  // try again after `delay`
    wait,   // referenced rows first; look again after `delay` (no attempt consumed)
    dead,   // a dead letter with `message`
  };
  kind what = kind::done;
  int attempts = 0;                    // retry, dead: the attempts the changes record
  std::chrono::milliseconds delay{0};  // retry, wait
  std::string message;                 // retry, wait, dead: last_error
  std::optional<int> http_status;      // retry, dead
  bool forget_identity = false;        // drop the stored identity first (archived, or stale)
  // done, after a write applied to a record: store the identity with these values (column ->
  // value both sides now hold), write the entity id back, and queue a follow-up update of
  // `follow_up_columns` (references that had no Kizen id when the record was created).
  bool save_identity = false;
  boost::json::object synced_values;
  std::vector<std::string> follow_up_columns;
  std::vector<key_ref> bring_first;  // wait (and dead): referenced rows never synced to queue first
};

struct outcome_context {
  const object_binding& object;
  const merged_change& change;
  // The identity the change was claimed with: its synced values, if the key was mapped.
  const std::optional<boost::json::object>& synced_before;
  const kizen::retry_policy& retry;
  const kizen::unit_random& random;
  const wait_settings& waits;
};

// `rows`: for a wait outcome, the referenced rows it names (see reference_wait.hpp).
outbound_decision decide_outcome(const outbound_outcome& outcome, const outcome_context& context,
                                 const std::vector<referenced_row>& rows = {});

// What to record instead when recording `wanted` failed with a database error other than a lost
// connection (which leaves nothing recordable). A `transient` one (a timeout, a serialization
// failure, a deadlock) spends an attempt and retries within the retry budget; any other (a value
// the table refuses, a user trigger raising, a missing grant) fails the same way every time: a
// dead letter with PostgreSQL's message at once. A record Kizen now holds keeps its identity
// either way (`save_identity`, without the entity id write-back or follow-ups that may be what
// failed), so the next attempt or the replay after the fix updates it instead of adding another.
outbound_decision decide_record_failure(const outbound_decision& wanted, const outcome_context& context, bool transient,
                                        const std::string& error);

// The values both sides hold after `change` was applied to a record: those last synced (unless
// the identity is forgotten) with every column the request sent, but for `left_out` columns
// (null after a create: Kizen holds nothing there yet; as before after an update).
boost::json::object synced_after(const object_binding& object, const merged_change& change,
                                 const std::optional<boost::json::object>& synced_before, bool identity_forgotten,
                                 const std::vector<std::string>& left_out);

}  // namespace ks::engine
