#pragma once
// The parts `run` (sync_engine) and `resync` (resync_runner) both stand on, built one way for
// both: the PostgreSQL pools, the Kizen client, and the config bound to Kizen's field metadata.
// Each start-up step is one attempt; the caller decides whether to wait and try again.

#include "common/result.hpp"
#include "config/config.hpp"
#include "connectors/kizen/client.hpp"
#include "connectors/postgres/db_pool.hpp"
#include "daemon/engine/mapping/object_bindings.hpp"
#include "daemon/engine/runtime/engine_settings.hpp"

#include <spdlog/logger.h>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace ks::engine {

// Where the engine's log lines go: a logger per part ("outbound", "inbound", "kizen", ...).
using logger_factory = std::function<std::shared_ptr<spdlog::logger>(const std::string& name)>;

struct startup_problem {
  bool retryable = false;             // PostgreSQL or Kizen could not be reached: try again later
  std::vector<std::string> problems;  // readable, each naming the place ("file:line:col: ...")
};

class engine_parts {
 public:
  // `role` names the connections in pg_stat_activity: "kizen-sync" or "kizen-sync resync".
  engine_parts(boost::asio::any_io_executor executor, const config::config& cfg, const engine_settings& settings,
               logger_factory loggers, const std::string& role);
  ~engine_parts();

  // The sync schema is migrated (and, with `verify_triggers`, the capture triggers match the
  // config): otherwise `kizen-sync migrate` is needed.
  boost::asio::awaitable<ks::result<void, startup_problem>> check_schema(bool verify_triggers);
  // The Kizen client, and every mapped object and field bound to Kizen's metadata.
  boost::asio::awaitable<ks::result<void, startup_problem>> bind_to_kizen();

  pg::db_pool& claim_pool() { return *claim_pool_; }
  pg::db_pool& work_pool() { return *work_pool_; }
  pg::db_pool& inbound_pool() { return *inbound_pool_; }
  kizen::client& client() { return *client_; }
  // The same connections for the pulls, in the background lane: they leave the outbound its share
  // (kizen.outbound_share) of the connections and of the rate.
  kizen::client& background_client() { return *background_client_; }
  const object_bindings& bindings() const { return bindings_; }
  std::shared_ptr<spdlog::logger> logger(const std::string& name) const { return loggers_(name); }

 private:
  boost::asio::any_io_executor executor_;
  const config::config& cfg_;
  logger_factory loggers_;
  std::unique_ptr<pg::db_pool> claim_pool_;
  std::unique_ptr<pg::db_pool> work_pool_;
  std::unique_ptr<pg::db_pool> inbound_pool_;
  std::unique_ptr<kizen::client> client_;
  std::unique_ptr<kizen::client> background_client_;
  object_bindings bindings_;
};

}  // namespace ks::engine
