#pragma once
// Records what a claimed key's changes came to, in one transaction: gathers what the decision
// needs (the referenced rows of a wait), takes the outcome policy's decision, and performs it:
// identity and entity id write-back, follow-up and referenced-row changes queued, the changes
// marked done, rescheduled or dead. Blocking (libpqxx): run it on a db_pool thread.

#include "connectors/postgres/identity_store.hpp"
#include "connectors/postgres/key_lease.hpp"
#include "connectors/postgres/outbox_store.hpp"
#include "connectors/postgres/row_reader.hpp"
#include "connectors/postgres/row_writer.hpp"
#include "daemon/engine/mapping/object_bindings.hpp"
#include "daemon/engine/outbound/key_claim.hpp"
#include "daemon/engine/outbound/outcome_policy.hpp"
#include "daemon/engine/outbound/reference_reader.hpp"

#include <cstdint>
#include <pqxx/connection>
#include <stdexcept>
#include <string>
#include <vector>

namespace ks::engine {

// The key's lease was taken by another claim before the outcome could be recorded: nothing was.
struct lease_lost : std::runtime_error {
  lease_lost() : std::runtime_error("the key's lease was taken by another claim") {}
};

struct outcome_settings {
  kizen::retry_settings retry;
  wait_settings waits;
};

class outcome_writer {
 public:
  outcome_writer(const std::string& schema, const object_bindings& bindings, outcome_settings settings);

  // Records `outcome` for `claimed` (merged into `change`) and returns the decision as recorded:
  // an identity that cannot be stored (another key holds the record) turns it into a dead letter,
  // and so does a database error that recording it meets (a retry for a transient one; see
  // decide_record_failure). Recorded only under the claim's lease, which it releases; throws
  // lease_lost if another claim has the key now, and other errors when the connection is lost:
  // nothing was recorded then.
  outbound_decision record(pqxx::connection& conn, const claimed_key& claimed, const merged_change& change,
                           const outbound_outcome& outcome);
  // Notes that a request which may create a record is about to be sent (before sending it).
  void note_attempt(pqxx::connection& conn, const std::vector<std::int64_t>& ids) const;

 private:
  // Takes the locks in the order user transactions take them (the row, then the key's outbox
  // row, see 007_key_leases.sql), then checks the lease is still ours.
  void fence(pqxx::transaction_base& tx, const claimed_key& claimed, bool writes_row) const;
  // A key update: the identity goes to the new key, the old key's changes are done.
  outbound_decision record_move(pqxx::connection& conn, const claimed_key& claimed, const merged_change& change,
                                const outbound_outcome& outcome) const;
  void record_failure(pqxx::connection& conn, const claimed_key& claimed, const merged_change& change,
                      const outbound_outcome& outcome, const outbound_decision& d) const;
  void record_done(pqxx::transaction_base& tx, const claimed_key& claimed, const merged_change& change,
                   const outbound_outcome& outcome, outbound_decision& d) const;

  const object_bindings& bindings_;
  pg::outbox_store outbox_;
  pg::identity_store identities_;
  pg::key_lease leases_;
  pg::row_reader table_rows_;
  pg::row_writer writer_;
  reference_reader references_;
  kizen::retry_policy retry_;
  kizen::unit_random random_;
  wait_settings waits_;
};

}  // namespace ks::engine
