#pragma once
// The sync's periodic chores, each on its own period: the backlog gauges, the purge of applied
// changes past retention, and the info summary line (applied, retried, dead-lettered, backlog,
// rate). A failing chore logs a warning and tries again at its next period.

#include "common/async/task_group.hpp"
#include "common/metrics_sink.hpp"
#include "connectors/postgres/db_pool.hpp"
#include "connectors/postgres/outbox_store.hpp"
#include "daemon/engine/outbound/outbound_worker.hpp"
#include "daemon/engine/runtime/engine_settings.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <memory>
#include <spdlog/logger.h>
#include <stop_token>
#include <string>

namespace ks::engine {

class housekeeping {
 public:
  housekeeping(boost::asio::any_io_executor executor, const std::string& schema, pg::db_pool& pool,
               const outbound_worker& outbound, metrics_sink& metrics, std::shared_ptr<spdlog::logger> logger,
               housekeeping_settings settings);

  // Runs every chore until `stop` is requested.
  boost::asio::awaitable<void> run(std::stop_token stop);

 private:
  boost::asio::awaitable<void> refresh_backlog(std::stop_token stop);
  boost::asio::awaitable<void> purge_applied(std::stop_token stop);
  boost::asio::awaitable<void> summarize(std::stop_token stop);

  boost::asio::any_io_executor executor_;
  pg::db_pool& pool_;
  const outbound_worker& outbound_;
  metrics_sink& metrics_;
  std::shared_ptr<spdlog::logger> logger_;
  housekeeping_settings settings_;
  pg::outbox_store outbox_;
  task_group chores_;
};

}  // namespace ks::engine
