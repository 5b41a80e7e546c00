#pragma once
// How a db_pool connects and how many connections it keeps.

#include "connectors/postgres/connection_settings.hpp"

namespace ks::pg {

struct pool_settings {
  // Server, application_name (what pg_stat_activity shows), connect timeout, keepalives.
  connection_settings connection;
  // Threads, each with its own connection.
  int connections = 2;
};

}  // namespace ks::pg
