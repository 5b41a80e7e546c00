#pragma once
// The outbox as a work queue (DESIGN.md "To Kizen", invariants 1-3).
//
// Claiming goes through key_lease (outbox_keys, one row per key with unfinished changes, kept in
// step by a trigger on this table); this class reads and records the changes themselves. A dead
// change is an unfinished change that is not pending: it blocks every later change of its key
// (order).
//
// All methods take the caller's transaction so the engine can combine them with identity writes
// in one commit.

#include "common/key_ref.hpp"
#include "connectors/postgres/key_lease.hpp"
#include "connectors/postgres/outbox_change.hpp"
#include "connectors/postgres/values.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <pqxx/transaction_base>
#include <string>
#include <vector>

namespace ks::pg {

struct dead_letter {
  std::int64_t id = 0;
  std::string object;
  std::string key;
  std::string op;
  int attempts = 0;
  std::optional<int> http_status;
  std::string last_error;
  timestamp created_at;
};

struct outbox_object_status {
  std::string object;
  std::int64_t pending = 0;         // changes waiting (due or backing off)
  std::int64_t dead = 0;            // dead letters
  std::int64_t blocked = 0;         // pending changes held back by a dead change of their key
  std::int64_t in_flight_keys = 0;  // keys locked by a running daemon right now
  std::optional<double> oldest_pending_seconds;
  std::int64_t applied_last_hour = 0;
};

class outbox_store {
 public:
  explicit outbox_store(std::string schema);

  // The leading run of pending changes of a key in id order, stopping before a dead change and at
  // `limit`; empty if the earliest unfinished change is dead or not yet due.
  std::vector<outbox_change> pending_changes(pqxx::transaction_base& tx, const key_ref& key, int limit) const;

  // Applied: state done. Only rows still pending change; returns how many did.
  std::int64_t mark_done(pqxx::transaction_base& tx, const std::vector<std::int64_t>& ids,
                         const std::optional<std::string>& entity_id,
                         const std::optional<timestamp>& kizen_updated) const;
  // A retryable failure: attempts set, next attempt after `delay`, the error kept.
  void schedule_retry(pqxx::transaction_base& tx, const std::vector<std::int64_t>& ids, int attempts,
                      std::chrono::milliseconds delay, const std::string& error, std::optional<int> http_status) const;
  // Waiting for something else (e.g. a referenced row): no attempt is consumed.
  void defer(pqxx::transaction_base& tx, const std::vector<std::int64_t>& ids, std::chrono::milliseconds delay,
             const std::string& reason) const;
  // A permanent failure or exhausted retries: state dead with the reason.
  void mark_dead(pqxx::transaction_base& tx, const std::vector<std::int64_t>& ids, int attempts,
                 const std::string& error, std::optional<int> http_status) const;
  // Records that a non-idempotent request (add) is about to be sent, before sending it, so a retry
  // or a restarted daemon knows to look for the record first, and claims it no sooner than
  // `search_visibility` from now, when a search can find what the add created.
  void note_attempt(pqxx::transaction_base& tx, const std::vector<std::int64_t>& ids,
                    std::chrono::milliseconds search_visibility) const;

  // Queues a change the engine makes itself (a referenced row that must reach Kizen first, resync).
  std::int64_t enqueue(pqxx::transaction_base& tx, const std::string& object, const std::string& key, change_op op,
                       const std::vector<std::string>& changed_columns, const boost::json::object& new_row) const;

  // Dead letters back to pending (attempts reset). `ids` empty = all (of `object`, if given).
  std::int64_t replay(pqxx::transaction_base& tx, const std::optional<std::string>& object,
                      const std::vector<std::int64_t>& ids) const;
  // Dead letters the operator gave up on: done without being sent (last_error says so), which
  // unblocks the key. Same selection as replay.
  std::int64_t skip_dead(pqxx::transaction_base& tx, const std::optional<std::string>& object,
                         const std::vector<std::int64_t>& ids) const;
  // Deletes up to `batch` done rows applied longer than `retention` ago; returns how many.
  std::int64_t purge_done(pqxx::transaction_base& tx, std::chrono::milliseconds retention, int batch) const;

  std::vector<outbox_object_status> status(pqxx::transaction_base& tx) const;
  std::vector<dead_letter> dead_letters(pqxx::transaction_base& tx, const std::optional<std::string>& object,
                                        int limit) const;
  // The state of a key's earliest unfinished change: pending (on its way), dead (stuck until
  // replayed) or nullopt (nothing queued), e.g. for a row another row references.
  std::optional<outbox_state> open_state(pqxx::transaction_base& tx, const key_ref& key) const;
  // The same change's id and state: a key's head is "older" than another change when its id is
  // lower (ids follow commit order within a key and creation order across keys).
  struct head {
    std::int64_t id = 0;
    outbox_state state = outbox_state::pending;
  };
  std::optional<head> open_head(pqxx::transaction_base& tx, const key_ref& key) const;

  struct backlog_entry {
    std::string object;
    std::int64_t pending = 0;
    std::int64_t dead = 0;
  };
  // Cheap counts for periodic metrics and summaries.
  std::vector<backlog_entry> backlog(pqxx::transaction_base& tx) const;

 private:
  std::string table_;  // "schema".outbox
  key_lease leases_;   // status counts the keys in flight by their leases
};

}  // namespace ks::pg
