#include "daemon/engine/engine_settings.hpp"

#include "config/connector_settings.hpp"

#include <pqxx/nontransaction>

namespace ks::engine {

std::function<void(pqxx::connection&)> session_setup(std::string application_name) {
  return [name = std::move(application_name)](pqxx::connection& c) {
    pqxx::nontransaction tx(c);
    tx.exec0("SET application_name = " + tx.quote(name));
    tx.exec0("SET client_min_messages = error");
  };
}

outbound_settings outbound_settings_from(const config::config& cfg) {
  outbound_settings s;
  s.max_in_flight = cfg.kizen.max_connections;
  s.max_merge = cfg.daemon.batch_size;
  s.poll_interval = cfg.daemon.outbox_poll_interval;
  s.retry = config::kizen_retry_settings(cfg.kizen.retry);
  return s;
}

}  // namespace ks::engine
