#pragma once
// Turns the outbox into Kizen API calls (DESIGN.md "To Kizen", issue 4).
//
// One claim loop: woken by NOTIFY (wake()), by finished work, or by a fallback poll; claims keys
// whose earliest change is due (at most max_in_flight keys in flight, one operation per key), and
// runs each key's merged changes as a coroutine: resolve references, apply to Kizen, persist the
// outcome (identity + change states in one transaction), release the key. Claims and key locks
// run on a single-connection pool (advisory locks belong to that session); everything else runs
// on the work pool. Kizen requests are bounded by the client's connection pool and rate limiter.

#include "config/config.hpp"
#include "connectors/kizen/client.hpp"
#include "connectors/kizen/retry_policy.hpp"
#include "connectors/postgres/identity_store.hpp"
#include "connectors/postgres/outbox_store.hpp"
#include "connectors/postgres/key_lock.hpp"
#include "connectors/postgres/row_reader.hpp"
#include "connectors/postgres/row_writer.hpp"
#include "daemon/engine/outbound/outbound_outcome.hpp"
#include "daemon/engine/outbound/change_applier.hpp"
#include "connectors/postgres/db_pool.hpp"
#include "daemon/engine/mapping/object_bindings.hpp"
#include "daemon/service/metrics.hpp"

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <spdlog/logger.h>
#include <string>
#include <vector>

namespace ks::engine {

struct outbound_settings {
  int max_in_flight = 8;                         // keys in flight at once (kizen.max_connections)
  int max_merge = 200;                           // changes of one key merged into one request
  std::chrono::milliseconds poll_interval{5000}; // fallback when no notification comes
  std::chrono::milliseconds reference_wait{300}; // recheck a change waiting for a referenced row
  std::chrono::milliseconds stuck_reference_wait{30000};  // ... when that row is dead-lettered
  std::chrono::milliseconds failure_cooldown{10000};     // a key whose processing threw
  kizen::retry_settings retry;
};

struct outbound_counters {
  std::atomic<std::uint64_t> claimed{0};   // key operations started
  std::atomic<std::uint64_t> applied{0};   // changes applied (or found already applied)
  std::atomic<std::uint64_t> retried{0};   // key operations scheduled for retry
  std::atomic<std::uint64_t> dead{0};      // changes dead-lettered
  std::atomic<std::uint64_t> waited{0};    // key operations waiting for referenced rows
  std::atomic<std::uint64_t> requests{0};  // Kizen requests made
};

class outbound_worker {
 public:
  outbound_worker(boost::asio::any_io_executor executor, const config::config& cfg,
                  const object_bindings& bindings, kizen::client& client, pg::db_pool& claim_pool,
                  pg::db_pool& work_pool, service::metrics& metrics, std::shared_ptr<spdlog::logger> logger,
                  outbound_settings settings);

  // Claims and applies until stop(); returns once in-flight work has finished too.
  boost::asio::awaitable<void> run();
  // A change was committed (NOTIFY) or something else may be due: claim now. Executor thread only.
  void wake();
  // Stop claiming; run() returns when what is in flight is done. Executor thread only.
  void stop();

  std::size_t in_flight() const { return in_flight_.size(); }
  // Healthy unless the last claim failed (PostgreSQL unreachable); `detail` says why.
  bool healthy() const { return db_error_.empty(); }
  const std::string& health_detail() const { return db_error_; }
  const outbound_counters& counters() const { return counters_; }

 private:
  struct claimed_key {
    key_ref key;
    std::vector<pg::outbox_change> changes;
    std::optional<pg::identity> identity;
  };
  struct persist_result {
    apply_outcome::kind what;
    std::string message;
    std::size_t changes = 0;
    std::optional<std::chrono::milliseconds> next_wake;
  };

  boost::asio::awaitable<std::vector<claimed_key>> claim(std::size_t capacity);
  // Picks, locks and reads up to `capacity` due keys (claim()'s transaction).
  std::vector<claimed_key> claim_keys(pqxx::transaction_base& tx, std::size_t capacity,
                                      const std::vector<key_ref>& skip);
  boost::asio::awaitable<void> process(claimed_key claimed);
  persist_result persist(pqxx::connection& conn, const claimed_key& claimed, const merged_change& change,
                         const apply_outcome& outcome);
  // Should a create wait for `ref` (no Kizen id yet) to reach Kizen first, rather than go out
  // without that relationship and follow up with an update? Only for rows that cannot wait back:
  // an older pending change of that key (a create waits only for older ones, so waits never form
  // a cycle), or a row that predates `migrate` and has no relationship of its own to send.
  bool create_waits_for(pqxx::transaction_base& tx, const row_reference& ref, std::int64_t own_head) const;
  void schedule_wake_in(std::chrono::milliseconds delay);
  boost::asio::awaitable<void> idle();

  boost::asio::any_io_executor executor_;
  const config::config& cfg_;
  const object_bindings& bindings_;
  change_applier applier_;
  pg::db_pool& claim_pool_;
  pg::db_pool& work_pool_;
  service::metrics& metrics_;
  std::shared_ptr<spdlog::logger> logger_;
  outbound_settings settings_;
  kizen::retry_policy retry_policy_;
  kizen::unit_random random_;

  pg::outbox_store outbox_;
  pg::identity_store identities_;
  pg::key_lock locks_;
  pg::row_reader rows_;
  pg::row_writer writer_;
  std::vector<std::string> objects_;  // configured objects that send (direction both/to_kizen)

  std::set<key_ref> in_flight_;
  std::vector<key_ref> to_unlock_;  // finished keys whose lock the next claim releases
  std::map<key_ref, std::chrono::steady_clock::time_point> cooldown_;
  boost::asio::steady_timer wake_timer_;
  boost::asio::steady_timer drained_;  // cancelled when the last in-flight operation ends
  std::optional<std::chrono::steady_clock::time_point> next_due_;
  bool wake_pending_ = true;
  bool stopping_ = false;
  std::string db_error_;
  outbound_counters counters_;
};

}  // namespace ks::engine
