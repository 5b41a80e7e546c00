#include "daemon/engine/runtime/engine_settings.hpp"

#include "config/connector_settings.hpp"

#include <algorithm>
#include <string>
#include <unistd.h>

namespace ks::engine {

namespace {

// "host:pid": which daemon holds a key, for operators reading outbox_keys.
std::string lease_owner() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) host[0] = 0;
  return std::string(host) + ":" + std::to_string(::getpid());
}

}  // namespace

engine_settings engine_settings_from(const config::config& cfg) {
  engine_settings s;
  s.outbound.max_in_flight = cfg.kizen.max_connections;
  s.outbound.max_merge = cfg.daemon.batch_size;
  s.outbound.poll_interval = cfg.daemon.outbox_poll_interval;
  s.outbound.outcomes.retry = config::kizen_retry_settings(cfg.kizen.retry);
  s.outbound.key_lease = std::chrono::duration_cast<std::chrono::milliseconds>(cfg.daemon.key_lease);
  s.outbound.request_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(cfg.kizen.request_timeout);
  s.outbound.owner = lease_owner();
  s.outbound.claim_deadline = 2 * std::chrono::duration_cast<std::chrono::milliseconds>(cfg.postgres.statement_timeout);
  s.outbound.outcomes.waits.search_visibility =
      std::chrono::duration_cast<std::chrono::milliseconds>(cfg.kizen.search_visibility_delay);
  s.housekeeping.summary_interval = cfg.daemon.summary_interval;
  s.housekeeping.backlog_interval = std::min(s.housekeeping.backlog_interval, cfg.daemon.summary_interval);
  s.housekeeping.retention = cfg.daemon.retention;
  s.pools.work = std::clamp(cfg.kizen.max_connections, 2, 4);
  return s;
}

}  // namespace ks::engine
