#pragma once
// The config mapped onto the settings types the connectors own: the connectors never see the
// YAML schema, and the config never leaks into them.

#include "config/config.hpp"
#include "connectors/kizen/client_settings.hpp"

namespace ks::config {

kizen::client_settings kizen_client_settings(const kizen_settings& kizen);
kizen::retry_settings kizen_retry_settings(const retry_settings& retry);

}  // namespace ks::config
