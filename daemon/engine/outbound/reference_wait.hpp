#pragma once
// When a change must wait for rows it references (relationship columns) to reach Kizen first, and
// what to do about each of them. Pure: the outbound worker reads the facts in PostgreSQL.
//
// A create sends what it can: a reference without a Kizen id is left out and followed up by an
// update once the referenced row has one. It waits instead only for rows that cannot wait back:
// an older pending change of that key (a create waits only for older ones, so waits never form a
// cycle), or a row that predates `migrate` and has no relationship of its own to send.

#include "common/key_ref.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ks::engine {

// A referenced row with no Kizen id, as the claim sees it.
struct reference_head {
  std::optional<std::int64_t> head_id;  // its earliest unfinished outbox change, if any
  bool head_pending = false;            // ... and that change is pending (not dead)
  bool object_sends = false;            // its object flows to Kizen (direction both/to_kizen)
  bool object_has_references = false;   // its object sends relationship fields of its own
  bool row_exists = false;              // the table has the row
};

// Whether a create whose own earliest change is `own_head` waits for `ref` to reach Kizen first.
bool create_waits_for(const reference_head& ref, std::int64_t own_head);

// A referenced row a waiting change names, as read when the wait is recorded.
struct referenced_row {
  enum class state {
    queued,          // its earliest unfinished change is pending: on its way
    dead,            // its earliest unfinished change is dead: stuck until replayed
    synced,          // nothing queued, and it has an identity: it reached Kizen meanwhile
    unsynced,        // nothing queued, no identity, the row exists and flows to Kizen: queue it
    pulled_only,     // nothing queued, no identity, the row exists, its object is from_kizen
    missing,         // the table has no such row
    not_configured,  // its object is not in the config
  };
  key_ref ref;
  state what = state::queued;
  std::string table;  // missing: schema.table, for the message
};

struct wait_settings {
  // How soon a change waiting for a referenced row looks again.
  std::chrono::milliseconds reference_wait{300};
  // ... when one of those rows is dead-lettered (it moves only after a replay).
  std::chrono::milliseconds stuck_reference_wait{30'000};
  // How long after an add that may have created a record the search for it waits
  // (kizen.search_visibility_delay): Kizen's search lags behind its writes.
  std::chrono::milliseconds search_visibility{5'000};
};

struct wait_decision {
  bool dead = false;                   // a referenced row does not exist: the change cannot be applied
  std::string message;                 // the reason (dead) or what it waits for
  std::chrono::milliseconds delay{0};  // not dead: when the key is due again
  std::vector<key_ref> bring_first;    // rows never synced: queue their insert (first)
};

// What a change that waits for `rows` (reason: `message`) comes to.
wait_decision decide_wait(const std::vector<referenced_row>& rows, const std::string& message,
                          const wait_settings& settings);

}  // namespace ks::engine
