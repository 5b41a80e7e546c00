#pragma once
// Opens a PostgreSQL connection as connection_settings describe it.

#include "common/result.hpp"
#include "connectors/postgres/connection_settings.hpp"

#include <memory>
#include <pqxx/connection>
#include <string>

namespace ks::pg {

// A connected connection, or a message naming the server (password masked) and libpq's reason.
ks::result<std::unique_ptr<pqxx::connection>, std::string> open_connection(const connection_settings& s);

}  // namespace ks::pg
