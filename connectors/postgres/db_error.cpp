#include "connectors/postgres/db_error.hpp"

#include <pqxx/except>

namespace ks::pg {

namespace {

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

}  // namespace

const char* to_string(db_failure kind) {
  switch (kind) {
    case db_failure::connection_lost: return "connection lost";
    case db_failure::timeout: return "timeout";
    case db_failure::serialization: return "serialization failure";
    case db_failure::in_doubt: return "commit in doubt";
    case db_failure::sql: return "SQL error";
  }
  return "SQL error";
}

db_error::db_error(db_failure kind, const std::string& message, std::string sqlstate)
    : std::runtime_error(message), kind_(kind), sqlstate_(std::move(sqlstate)) {}

std::optional<db_error> classify(const std::exception& e) {
  try {
    if (const auto* already = dynamic_cast<const db_error*>(&e)) return *already;
    if (dynamic_cast<const pqxx::in_doubt_error*>(&e)) return db_error(db_failure::in_doubt, trimmed(e.what()));
    if (dynamic_cast<const pqxx::broken_connection*>(&e))
      return db_error(db_failure::connection_lost, trimmed(e.what()));
    if (const auto* sql = dynamic_cast<const pqxx::sql_error*>(&e)) {
      const std::string state = sql->sqlstate();
      db_failure kind = db_failure::sql;
      if (state == "40001" || state == "40P01") kind = db_failure::serialization;
      // query_canceled (statement_timeout), lock_not_available (lock_timeout), idle timeouts.
      else if (state == "57014" || state == "55P03" || state == "25P03")
        kind = db_failure::timeout;
      // admin_shutdown, crash_shutdown, cannot_connect_now: the server is going away.
      else if (state == "57P01" || state == "57P02" || state == "57P03" || state.starts_with("08"))
        kind = db_failure::connection_lost;
      return db_error(kind, trimmed(e.what()), state);
    }
    if (dynamic_cast<const pqxx::failure*>(&e)) return db_error(db_failure::sql, trimmed(e.what()));
  } catch (...) {
    // Copying a message can throw bad_alloc: then it is not classified.
  }
  return std::nullopt;
}

}  // namespace ks::pg
