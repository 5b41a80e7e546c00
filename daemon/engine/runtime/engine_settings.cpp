#include "daemon/engine/runtime/engine_settings.hpp"

#include "config/connector_settings.hpp"


namespace ks::engine {

outbound_settings outbound_settings_from(const config::config& cfg) {
  outbound_settings s;
  s.max_in_flight = cfg.kizen.max_connections;
  s.max_merge = cfg.daemon.batch_size;
  s.poll_interval = cfg.daemon.outbox_poll_interval;
  s.outcomes.retry = config::kizen_retry_settings(cfg.kizen.retry);
  return s;
}

}  // namespace ks::engine
