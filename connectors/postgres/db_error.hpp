#pragma once
// What went wrong in a PostgreSQL job, classified once where jobs run (db_pool), so the engine
// retries, reports and shows in /healthz each failure as what it is: the server gone is not a
// bug in a query, and a lock timeout is not a constraint violation.

#include <exception>
#include <optional>
#include <stdexcept>
#include <string>

namespace ks::pg {

enum class db_failure {
  connection_lost,  // cannot connect, or the connection broke (server restart, network): reconnect
  timeout,          // statement_timeout, lock_timeout, cancelled by the server: try again later
  serialization,    // serialization failure or deadlock: run the transaction again
  in_doubt,         // the connection broke during COMMIT: the outcome is unknown
  sql,              // any other SQL error (constraint, permission, missing table): retrying won't fix it
};

const char* to_string(db_failure kind);  // "connection lost", "timeout", ...

class db_error : public std::runtime_error {
 public:
  db_error(db_failure kind, const std::string& message, std::string sqlstate = {});

  db_failure kind() const { return kind_; }
  // The SQLSTATE of a server error ("23505"), empty when there is none.
  const std::string& sqlstate() const { return sqlstate_; }
  // Whether the same work may succeed later without anyone changing anything.
  bool transient() const { return kind_ != db_failure::sql; }

 private:
  db_failure kind_;
  std::string sqlstate_;
};

// The db_error for a libpqxx exception; nullopt for anything that is not a database failure (a
// bug in the job, which is passed on as it is). Never throws.
std::optional<db_error> classify(const std::exception& e);

}  // namespace ks::pg
