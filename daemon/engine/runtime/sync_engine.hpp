#pragma once
// The running sync for one config: checks the sync schema, binds the mapped objects to Kizen's
// field metadata, then runs the NOTIFY listener, the outbound worker, the inbound puller and
// housekeeping (metrics, the periodic summary line, retention purge) until stop(). `kizen-sync run` owns one at a time
// (a reload replaces it).

#include "config/config.hpp"
#include "connectors/kizen/client.hpp"
#include "connectors/postgres/change_listener.hpp"
#include "connectors/postgres/db_pool.hpp"
#include "daemon/engine/mapping/object_bindings.hpp"
#include "daemon/engine/inbound/inbound_worker.hpp"
#include "daemon/engine/outbound/outbound_worker.hpp"
#include "daemon/service/metrics.hpp"
#include "daemon/service/status_server.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <stop_token>
#include <spdlog/logger.h>
#include <string>
#include <vector>

namespace ks::engine {

class sync_engine {
 public:
  sync_engine(boost::asio::any_io_executor executor, config::config cfg, service::metrics& metrics);
  ~sync_engine();

  // Prepares everything; waits (retrying with backoff, never giving up) while PostgreSQL or Kizen
  // cannot be reached. Fails only for problems a restart cannot fix: the sync schema needs
  // `migrate`, a mapped object or field is missing in Kizen, the credentials are refused.
  boost::asio::awaitable<ks::result<void, std::vector<std::string>>> start();
  // Runs until stop(); returns once in-flight work is done.
  boost::asio::awaitable<void> run();
  void stop();

  service::health_report health() const;
  const config::config& cfg() const { return cfg_; }
  const outbound_worker* outbound() const { return outbound_.get(); }
  inbound_puller* inbound() { return inbound_.get(); }

 private:
  boost::asio::awaitable<void> housekeeping();
  boost::asio::awaitable<void> pause(std::chrono::milliseconds d);

  boost::asio::any_io_executor executor_;
  config::config cfg_;
  service::metrics& metrics_;
  std::shared_ptr<spdlog::logger> logger_;
  std::unique_ptr<pg::db_pool> claim_pool_;
  std::unique_ptr<pg::db_pool> work_pool_;
  // Inbound writes wait for key locks held by in-flight outbound requests, whose completion runs
  // on work_pool_: separate threads, so those waits can never starve the outbound completion.
  std::unique_ptr<pg::db_pool> inbound_pool_;
  std::unique_ptr<kizen::client> client_;
  object_bindings bindings_;
  std::unique_ptr<outbound_worker> outbound_;
  std::unique_ptr<inbound_puller> inbound_;
  std::unique_ptr<pg::change_listener> listener_;
  boost::asio::steady_timer timer_;        // start() backoff and housekeeping pauses
  boost::asio::steady_timer finished_;     // cancelled whenever a background coroutine ends
  std::stop_source listener_stop_;
  std::stop_source outbound_stop_;
  int background_running_ = 0;             // listener, housekeeping, inbound still running
  bool stopping_ = false;
  bool started_ = false;
  std::string waiting_for_;  // why start() is still waiting
};

}  // namespace ks::engine
