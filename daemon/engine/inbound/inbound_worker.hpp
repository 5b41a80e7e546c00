#pragma once
// Brings Kizen changes into the tables (docs/architecture.md "From Kizen"): one loop per object
// with direction both/from_kizen.
//
// Every pull_interval: keyset pages (keyset_walk) of `updated` >= cursor minus an overlap, with
// only the mapped fields; each page goes through record_applier, whose transaction also advances
// the (updated, id) cursor, so a crash re-reads rather than loses. Then the due records of the
// failure list. Every reconcile_interval a reconcile_walk, run in slices between pulls. A
// failing pull backs off.

#include "common/async/task_group.hpp"
#include "common/backoff.hpp"
#include "common/metrics_sink.hpp"
#include "connectors/kizen/client.hpp"
#include "connectors/postgres/cursor_store.hpp"
#include "connectors/postgres/db_pool.hpp"
#include "connectors/postgres/inbound_failure_store.hpp"
#include "daemon/engine/failure.hpp"
#include "daemon/engine/inbound/inbound_context.hpp"
#include "daemon/engine/inbound/inbound_stats.hpp"
#include "daemon/engine/inbound/reconcile_walk.hpp"
#include "daemon/engine/inbound/record_applier.hpp"
#include "daemon/engine/mapping/object_bindings.hpp"

#include <spdlog/logger.h>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <stop_token>
#include <string>

namespace ks::engine {

struct inbound_settings {
  // The re-read window behind the cursor (records updated at the same instant, clock skew).
  std::chrono::milliseconds overlap{2000};
  // Records of the failure list tried again per pass (after each pull), at most.
  int failure_batch = 100;
  // The longest wait after pulls that keep failing (the first waits pull_interval).
  std::chrono::milliseconds max_failure_backoff{30'000};
  // Reconcile pages walked after each pull while a walk is under way (the pulls go on between).
  int reconcile_pages_per_pass = 20;
  record_applier_settings records;
};

class inbound_worker {
 public:
  inbound_worker(boost::asio::any_io_executor executor, inbound_context context, inbound_settings settings = {});

  // Pulls every pulling object on its interval until `stop` is requested; returns when all loops
  // ended.
  boost::asio::awaitable<void> run(std::stop_token stop);

  // One incremental pull of an object (what run() does each interval).
  boost::asio::awaitable<inbound_stats> pull(const object_binding& object, std::stop_token stop = {});
  // One reconcile walk of an object (the one under way, or a new one), to its end.
  boost::asio::awaitable<inbound_stats> reconcile(const object_binding& object, std::stop_token stop = {});
  // At most `pages` pages of it (what run() does after each pull while a walk is under way).
  boost::asio::awaitable<reconcile_walk::slice> reconcile_step(const object_binding& object, int pages,
                                                               std::stop_token stop = {});
  // Re-reads the object's records of the failure list that are due, and applies them again.
  boost::asio::awaitable<inbound_stats> retry_failures(const object_binding& object);

  // Objects whose last pull failed, with why (PostgreSQL or Kizen unreachable, ...).
  const std::map<std::string, failure>& failing_pulls() const { return failing_; }
  // Where pages of records are written (resync from Kizen writes through it too).
  record_applier& records() { return records_; }

 private:
  boost::asio::awaitable<void> loop(const object_binding& object, std::stop_token stop);
  boost::asio::awaitable<inbound_stats> pull_pages(const object_binding& object, std::stop_token stop);

  boost::asio::any_io_executor executor_;
  inbound_context ctx_;
  inbound_settings settings_;
  pg::cursor_store cursors_;
  pg::inbound_failure_store failures_;
  std::map<std::string, failure> failing_;
  record_applier records_;
  reconcile_walk reconciles_;
  task_group loops_;
};

}  // namespace ks::engine
