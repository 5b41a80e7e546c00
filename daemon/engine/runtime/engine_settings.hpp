#pragma once
// Settings the engine's parts derive from the config, shared by `run` and `resync`.

#include "config/config.hpp"
#include "daemon/engine/outbound/outbound_worker.hpp"

#include <functional>
#include <pqxx/connection>
#include <string>

namespace ks::engine {

outbound_settings outbound_settings_from(const config::config& cfg);

}  // namespace ks::engine
