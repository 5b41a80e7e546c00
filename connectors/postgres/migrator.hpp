#pragma once
// `kizen-sync migrate`: creates/updates the sync schema from the embedded migrations and
// installs the capture trigger on every mapped table, in one transaction under an advisory lock,
// idempotently. `run` uses verify_capture_triggers / pending_migrations to refuse a database
// that does not match its config.

#include "common/result.hpp"
#include "connectors/postgres/table_mapping.hpp"

#include <spdlog/logger.h>
#include <memory>
#include <pqxx/connection>
#include <string>
#include <vector>

namespace ks::pg {

struct migrate_report {
  std::string schema;
  std::vector<int> applied;                     // migration versions applied by this run
  std::vector<std::string> triggers_installed;  // objects whose trigger was created or replaced
  std::vector<std::string> triggers_unchanged;  // objects whose trigger already matched
  std::vector<std::string> triggers_dropped;    // objects no longer captured (removed, from_kizen)
  std::vector<std::string> lookup_indexes;      // lookup indexes created or rebuilt (lookup_index.hpp)
  std::vector<std::string> warnings;            // what migrate could not do, each with its fix

  bool changed() const {
    return !applied.empty() || !triggers_installed.empty() || !triggers_dropped.empty() || !lookup_indexes.empty();
  }
  // One line for the CLI, e.g. "kizen_sync: applied migrations 1, 2; capture triggers:
  // installed client_client; 1 unchanged" or "kizen_sync: up to date (2 capture triggers)".
  std::string summary() const;
};

class migrator {
 public:
  // `logger` (optional) gets one info line per migration applied and per trigger changed.
  explicit migrator(std::shared_ptr<spdlog::logger> logger = nullptr);

  // Applies the pending migrations to `schema` (created if missing), then installs or refreshes
  // the capture trigger of every object that flows to Kizen and drops the triggers of objects no
  // longer configured (or now from_kizen). All in ONE transaction holding a transaction-level
  // advisory lock per schema, so concurrent runs serialise and a failure changes nothing.
  // Triggers that already match are left alone (same OIDs): a second run changes nothing.
  // After that transaction committed, creates the lookup index of every mapping that pulls with
  // a lookup (CONCURRENTLY, one by one); one that cannot be created (the role does not own the
  // table) becomes a warning in the report, not a failure.
  // Fails (nothing changed) on: an invalid schema name, a database migrated by a newer
  // kizen-sync, a mapped table that table_inspector finds a problem with, SQL errors.
  // Throws pqxx::broken_connection when the connection is lost.
  // `conn` must have no transaction open.
  ks::result<migrate_report, std::string> migrate(pqxx::connection& conn, const std::string& schema,
                                                  const std::vector<table_mapping>& objects);

  // What is wrong with the installed capture triggers compared with `objects`: a mapped table
  // without its trigger, a disabled trigger, captured columns (or key/entity_id columns) that
  // differ from the config, a trigger left on a table of an object no longer captured, or a
  // schema never migrated. Each message ends with "run kizen-sync migrate". Read-only.
  std::vector<std::string> verify_capture_triggers(pqxx::connection& conn, const std::string& schema,
                                                   const std::vector<table_mapping>& objects);

  // Versions of embedded migrations not yet applied to `schema` (all of them for a schema that
  // does not exist yet). Read-only.
  std::vector<int> pending_migrations(pqxx::connection& conn, const std::string& schema);

 private:
  void ensure_lookup_indexes(pqxx::connection& conn, const std::string& schema,
                             const std::vector<table_mapping>& objects, migrate_report& report);
  void ensure_lookup_index_reporting(pqxx::connection& conn, const table_mapping& m, migrate_report& report);

  std::shared_ptr<spdlog::logger> logger_;
};

}  // namespace ks::pg
