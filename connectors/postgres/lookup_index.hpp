#pragma once
// The index that keeps the pull's lookups fast. A Kizen record the identity map does not know is
// matched to a row by its lookup value the way Kizen compares them (row_reader::key_by_lookup);
// without an index on that form every new record scans the whole table, so a first pull of N
// records costs O(N²). `migrate` creates the index (CONCURRENTLY, outside its transaction, so
// writers are not blocked while it builds), `check --online` and the daemon's start warn when
// it is missing.

#include "connectors/postgres/table_mapping.hpp"

#include <pqxx/connection>
#include <pqxx/transaction_base>
#include <string>

namespace ks::pg {

// "<table>_<column>_kizen_lookup", cut to PostgreSQL's 63 bytes.
std::string lookup_index_name(const table_mapping& m);

enum class lookup_index_state {
  not_needed,  // the mapping does not pull, or has no lookup
  present,     // the index exists and is valid
  invalid,     // a CREATE INDEX CONCURRENTLY that failed left it unusable
  missing,
};

lookup_index_state lookup_index_of(pqxx::transaction_base& tx, const table_mapping& m);

// For `check --online` and the daemon's start: one warning naming the object, the table, the
// column and the fix, or "" when the index is there (or not needed).
std::string lookup_index_warning(pqxx::transaction_base& tx, const table_mapping& m);

// The CREATE INDEX CONCURRENTLY statement, for messages an operator can paste.
std::string lookup_index_sql(const table_mapping& m);

// What `ensure_lookup_index` did.
enum class lookup_index_change { unchanged, created, rebuilt };

// Creates the index when it is missing, rebuilds it when invalid. Runs CREATE INDEX
// CONCURRENTLY, so `conn` must not be inside a transaction; throws pqxx::sql_error (for example
// when the role does not own the table).
lookup_index_change ensure_lookup_index(pqxx::connection& conn, const table_mapping& m);

}  // namespace ks::pg
