#pragma once
// Writes Kizen records into a mapped table (DESIGN.md "From Kizen"). Values arrive as JSON and are
// converted by PostgreSQL itself (jsonb_populate_record against the table's row type), so every
// column type is handled the way PostgreSQL would read its text. Rows whose values already equal
// the record are not written (no row version bump, no trigger). Run these in a daemon_write()
// transaction so the capture trigger ignores them (no echo back to Kizen).

#include "connectors/postgres/table_mapping.hpp"

#include <boost/json/object.hpp>
#include <optional>
#include <pqxx/transaction_base>
#include <string>
#include <vector>

namespace ks::pg {

// Columns whose values compare by what Kizen can tell apart, not by their exact form.
struct column_kinds {
  // Arrays holding sets (multi-value fields): Kizen keeps its own order and reads none as [],
  // so order, repeats and NULL vs {} do not matter (and a row keeps its own order).
  std::vector<std::string> sets;
  // Booleans of checkboxes: Kizen reads an unset checkbox as false, so NULL equals false.
  std::vector<std::string> flags;
};

class row_writer {
 public:
  // Sets `columns` (taken from `values`, column → JSON) and entity_id_column of the row, if any
  // differs (as `kinds` compare); true if the row was written. A column equal as `kinds` compares
  // keeps the row's own value.
  bool update(pqxx::transaction_base& tx, const table_mapping& m, const std::string& key,
              const boost::json::object& values, const std::vector<std::string>& columns, const std::string& entity_id,
              const column_kinds& kinds = {}) const;
  // Of `columns`, those whose values in `a` and `b` (column → JSON) differ once read as the table's
  // column types (and compared as `kinds` says); a column missing from either counts as differing.
  std::vector<std::string> differing(pqxx::transaction_base& tx, const table_mapping& m, const boost::json::object& a,
                                     const boost::json::object& b, const std::vector<std::string>& columns,
                                     const column_kinds& kinds = {}) const;
  // Inserts a row with `columns` from `values`, entity_id_column, and the key when given (else the
  // key column's default makes it); returns the new row's key.
  std::string insert(pqxx::transaction_base& tx, const table_mapping& m, const std::optional<std::string>& key,
                     const boost::json::object& values, const std::vector<std::string>& columns,
                     const std::string& entity_id) const;
  bool remove(pqxx::transaction_base& tx, const table_mapping& m, const std::string& key) const;
  // Sets entity_id_column of the row to `entity_id` unless it already holds it; true if written.
  bool write_entity_id(pqxx::transaction_base& tx, const table_mapping& m, const std::string& key,
                       const std::string& entity_id) const;
};

}  // namespace ks::pg
