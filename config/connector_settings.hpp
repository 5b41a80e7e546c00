#pragma once
// The config mapped onto the settings types the connectors own: the connectors never see the
// YAML schema, and the config never leaks into them.

#include "config/config.hpp"
#include "connectors/kizen/client_settings.hpp"
#include "connectors/postgres/db_pool_settings.hpp"
#include "connectors/postgres/table_mapping.hpp"

#include <vector>

namespace ks::config {

kizen::client_settings kizen_client_settings(const kizen_settings& kizen);
kizen::retry_settings kizen_retry_settings(const retry_settings& retry);

// The table side of an object mapping; `place` prefixes carry the config locations for messages.
pg::table_mapping table_mapping_of(const object_mapping& object);
std::vector<pg::table_mapping> table_mappings(const config& cfg);  // every object, in config order

// A pool of `connections` connections to the configured server, named `application_name` in
// pg_stat_activity.
pg::pool_settings pool_settings(const postgres_settings& postgres, std::string application_name, int connections);

// "file:line:col: " for a config location, "" when it is unknown.
std::string place_prefix(const source_location& where);

}  // namespace ks::config
