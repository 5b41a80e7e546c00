#pragma once
// The sync's periodic chores, each on its own period: the backlog gauges, the purge of applied
// changes past retention, and the info summary line (applied, retried, dead-lettered, backlog,
// rate). A failing chore logs a warning and tries again at its next period.

#include "common/async/task_group.hpp"
#include "common/metrics_sink.hpp"
#include "connectors/postgres/db_pool.hpp"
#include "connectors/postgres/inbound_failure_store.hpp"
#include "connectors/postgres/outbox_store.hpp"
#include "daemon/engine/outbound/outbound_worker.hpp"
#include "daemon/engine/runtime/engine_settings.hpp"

#include <spdlog/logger.h>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <stop_token>
#include <string>

namespace ks::engine {

class housekeeping {
 public:
  housekeeping(boost::asio::any_io_executor executor, const std::string& schema, std::vector<std::string> objects,
               pg::db_pool& pool, const outbound_worker& outbound, metrics_sink& metrics,
               std::shared_ptr<spdlog::logger> logger, housekeeping_settings settings);

  // Runs every chore until `stop` is requested.
  boost::asio::awaitable<void> run(std::stop_token stop);

  // The inbound failure list as the last backlog refresh found it, per object.
  const std::vector<pg::inbound_failure_summary>& inbound_failures() const { return inbound_failures_; }

 private:
  using chore = boost::asio::awaitable<void> (housekeeping::*)();
  // Runs `pass` every `period` (the first at once, or after one period) until `stop`; a pass that
  // fails is logged and the next one comes at its time.
  boost::asio::awaitable<void> periodically(const char* name, std::chrono::milliseconds period, chore pass,
                                            bool at_once, std::stop_token stop);
  boost::asio::awaitable<void> refresh_backlog();
  boost::asio::awaitable<void> purge_applied();
  boost::asio::awaitable<void> summarize();

  boost::asio::any_io_executor executor_;
  pg::db_pool& pool_;
  const outbound_worker& outbound_;
  metrics_sink& metrics_;
  std::shared_ptr<spdlog::logger> logger_;
  housekeeping_settings settings_;
  pg::outbox_store outbox_;
  pg::inbound_failure_store failures_;
  std::vector<std::string> objects_;  // every configured object: each gets a sample, 0 included
  std::vector<pg::inbound_failure_summary> inbound_failures_;
  task_group chores_;
  // summarize(): the counters at the last summary.
  std::chrono::steady_clock::time_point last_summary_ = std::chrono::steady_clock::now();
  std::uint64_t applied_before_ = 0, dead_before_ = 0, retried_before_ = 0;
};

}  // namespace ks::engine
