#pragma once
// Turns the outbox into Kizen requests: the claim loop and, per claimed key, one coroutine that
// drives the decisions (docs/architecture.md "To Kizen").
//
// The loop is woken by NOTIFY (wake()), by finished work, or by a fallback poll; it claims keys
// whose earliest change is due (at most max_in_flight keys in flight, one operation per key).
// Each key's merged changes then go: referenced rows resolved (reference_reader), applied to
// Kizen (change_applier), the outcome recorded under the key's lease (outcome_writer), which
// releases it. No request for a key starts later than its lease allows (lease − request_timeout
// − 1 s after the claim was sent), so two daemons never have requests in flight for one key.
// Claims run on a one-connection pool; everything else runs on the work pool. Kizen requests are
// bounded by the client's pool and rate limiter.

#include "common/async/task_group.hpp"
#include "common/backoff.hpp"
#include "common/key_ref.hpp"
#include "common/metrics_sink.hpp"
#include "connectors/kizen/client.hpp"
#include "connectors/postgres/db_pool.hpp"
#include "connectors/postgres/pause_store.hpp"
#include "daemon/engine/failure.hpp"
#include "daemon/engine/mapping/object_bindings.hpp"
#include "daemon/engine/outbound/change_applier.hpp"
#include "daemon/engine/outbound/key_claim.hpp"
#include "daemon/engine/outbound/kizen_breaker.hpp"
#include "daemon/engine/outbound/outcome_writer.hpp"
#include "daemon/engine/outbound/reference_reader.hpp"

#include <spdlog/logger.h>
#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <stop_token>
#include <string>
#include <vector>

namespace ks::engine {

struct outbound_settings {
  // Keys in flight at once (kizen.max_connections).
  int max_in_flight = 8;
  // Changes of one key merged into one request (daemon.batch_size).
  int max_merge = 200;
  // The fallback claim when no notification comes (daemon.outbox_poll_interval).
  std::chrono::milliseconds poll_interval{5000};
  // How long a key whose processing failed (PostgreSQL lost mid-way, ...) is left alone.
  std::chrono::milliseconds failure_cooldown{10'000};
  // Between claims while PostgreSQL cannot be reached.
  backoff_settings claim_backoff{std::chrono::milliseconds(250), std::chrono::milliseconds(30'000)};
  // Retries, dead letters and waits for referenced rows.
  outcome_settings outcomes;
  // When Kizen as a whole fails: pause, probe, resume (kizen_breaker.hpp).
  breaker_settings breaker;
  // A claim still running after this is cut by the claim pool (2 × postgres.statement_timeout).
  std::chrono::milliseconds claim_deadline{60'000};
  // How long a claim holds a key (daemon.key_lease), and kizen.request_timeout: a request for the
  // key starts only while it can still end within the lease.
  std::chrono::milliseconds key_lease{60'000};
  std::chrono::milliseconds request_timeout{15'000};
  // Who holds the leases (host and pid), shown to operators.
  std::string owner;
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
  outbound_worker(boost::asio::any_io_executor executor, const std::string& schema, const object_bindings& bindings,
                  kizen::client& client, pg::db_pool& claim_pool, pg::db_pool& work_pool, metrics_sink& metrics,
                  std::shared_ptr<spdlog::logger> logger, outbound_settings settings);

  // Claims and applies until `stop` is requested; returns once the work in flight has finished
  // too (the caller bounds that with its grace period).
  boost::asio::awaitable<void> run(std::stop_token stop);
  // A change was committed (NOTIFY) or something else may be due: claim now. Executor thread only.
  void wake();

  std::size_t in_flight() const { return in_flight_.size(); }
  // Why the last claim failed (PostgreSQL unreachable, ...); nothing while claims succeed.
  const std::optional<failure>& claim_failure() const { return claim_failure_; }
  // How long the claim under way has run (zero when none is).
  std::chrono::milliseconds claim_running_for() const;
  const kizen_breaker& breaker() const { return breaker_; }
  const outbound_settings& settings() const { return settings_; }
  const outbound_counters& counters() const { return counters_; }

 private:
  boost::asio::awaitable<std::vector<claimed_key>> claim(std::size_t capacity);
  boost::asio::awaitable<void> process(claimed_key claimed, std::chrono::steady_clock::time_point start_by);
  boost::asio::awaitable<std::optional<outbound_outcome>> key_move(const key_ref& key, merged_change& change,
                                                                   const std::optional<std::string>& known);
  boost::asio::awaitable<outbound_outcome> send(const claimed_key& claimed, const merged_change& change,
                                                const std::optional<std::string>& known,
                                                std::chrono::steady_clock::time_point start_by);
  // Feeds the breaker; a failing outcome while it is open spends no attempt.
  void note_service(outbound_outcome& outcome);
  boost::asio::awaitable<void> note_pause(bool open);
  // Logs and counts what the key's operation came to.
  void report(const claimed_key& claimed, const merged_change& change, const outbound_outcome& outcome,
              const outbound_decision& decision, std::chrono::steady_clock::time_point started);
  void schedule_wake_in(std::chrono::milliseconds delay);
  boost::asio::awaitable<void> idle(std::stop_token stop);

  boost::asio::any_io_executor executor_;
  const object_bindings& bindings_;
  change_applier applier_;
  pg::db_pool& claim_pool_;
  pg::db_pool& work_pool_;
  metrics_sink& metrics_;
  std::shared_ptr<spdlog::logger> logger_;
  outbound_settings settings_;

  key_claim claims_;
  reference_reader references_;
  outcome_writer outcomes_;
  pg::pause_store pauses_;

  task_group operations_;  // one child per key in flight
  std::set<key_ref> in_flight_;
  std::vector<pg::leased_key> to_hold_back_;  // leases of failed keys the next claim keeps aside
  std::map<key_ref, std::chrono::steady_clock::time_point> cooldown_;
  boost::asio::steady_timer wake_timer_;
  std::optional<std::chrono::steady_clock::time_point> next_due_;
  bool wake_pending_ = true;
  std::optional<failure> claim_failure_;
  std::optional<std::chrono::steady_clock::time_point> claiming_since_;
  kizen_breaker breaker_;
  outbound_counters counters_;
};

}  // namespace ks::engine
