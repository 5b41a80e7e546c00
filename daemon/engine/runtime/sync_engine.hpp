#pragma once
// The running sync for one config: checks the sync schema, binds the mapped objects to Kizen's
// field metadata, then runs the NOTIFY listener, the outbound worker, the inbound worker and the
// housekeeping chores until stop(). `kizen-sync run` owns one at a time (a reload replaces it).

#include "common/health.hpp"
#include "common/metrics_sink.hpp"
#include "common/result.hpp"
#include "config/config.hpp"
#include "connectors/postgres/change_listener.hpp"
#include "daemon/engine/inbound/inbound_worker.hpp"
#include "daemon/engine/outbound/outbound_worker.hpp"
#include "daemon/engine/runtime/engine_parts.hpp"
#include "daemon/engine/runtime/engine_settings.hpp"
#include "daemon/engine/runtime/housekeeping.hpp"

#include <spdlog/logger.h>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <stop_token>
#include <string>
#include <vector>

namespace ks::engine {

class sync_engine {
 public:
  sync_engine(boost::asio::any_io_executor executor, config::config cfg, metrics_sink& metrics, logger_factory loggers);
  ~sync_engine();

  // Prepares everything; waits (retrying with backoff, never giving up) while PostgreSQL or Kizen
  // cannot be reached. Fails only for problems a restart cannot fix: the sync schema needs
  // `migrate`, a mapped object or field is missing in Kizen, the credentials are refused.
  boost::asio::awaitable<ks::result<void, std::vector<std::string>>> start();
  // Runs until stop(); returns once in-flight work is done.
  boost::asio::awaitable<void> run();
  // Executor thread only.
  void stop();

  ks::health health() const;
  // Why the engine makes no progress (a claim that outlived its deadline, its cut not taking
  // effect), or "": the systemd watchdog is fed only while this is "", so systemd restarts a
  // daemon that hangs, not one that waits out an outage.
  std::string stuck_reason() const;
  const config::config& cfg() const { return cfg_; }
  const outbound_worker* outbound() const { return outbound_.get(); }

 private:
  boost::asio::any_io_executor executor_;
  config::config cfg_;
  engine_settings settings_;
  metrics_sink& metrics_;
  std::shared_ptr<spdlog::logger> logger_;
  engine_parts parts_;
  std::unique_ptr<outbound_worker> outbound_;
  std::unique_ptr<inbound_worker> inbound_;
  std::unique_ptr<housekeeping> housekeeping_;
  std::unique_ptr<pg::change_listener> listener_;
  boost::asio::steady_timer timer_;  // start() backoff
  std::stop_source stop_;
  bool started_ = false;
  std::string waiting_for_;  // why start() is still waiting
};

}  // namespace ks::engine
