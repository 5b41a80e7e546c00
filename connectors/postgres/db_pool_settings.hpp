#pragma once
// How a db_pool connects and how many connections it keeps.

#include "connectors/postgres/connection_settings.hpp"

#include <chrono>
#include <optional>

namespace ks::pg {

struct pool_settings {
  // Server, application_name (what pg_stat_activity shows), connect timeout, keepalives.
  connection_settings connection;
  // Threads, each with its own connection.
  int connections = 2;
  // PostgreSQL's statement_timeout on each connection (none: the server's default).
  std::optional<std::chrono::milliseconds> statement_timeout;
  // A job still running after this has its connection's socket shut down, so a server or network
  // that stopped answering fails the job (connection lost) instead of hanging its thread with
  // what it holds. Only for pools whose jobs are short by construction (the claim pool).
  std::optional<std::chrono::milliseconds> job_deadline;
};

}  // namespace ks::pg
