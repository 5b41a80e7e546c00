#pragma once
// Settings the engine's parts derive from the config, shared by `run` and `resync`.

#include "config/config.hpp"
#include "daemon/engine/outbound_worker.hpp"

#include <functional>
#include <pqxx/connection>
#include <string>

namespace ks::engine {

// Every engine connection: an application_name for pg_stat_activity, and server notices kept off
// stderr (libpq prints them there; our logs are JSON lines).
std::function<void(pqxx::connection&)> session_setup(std::string application_name);

outbound_settings outbound_settings_from(const config::config& cfg);

}  // namespace ks::engine
