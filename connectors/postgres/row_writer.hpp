#pragma once
// Writes Kizen records into a mapped table (DESIGN.md "From Kizen"). Values arrive as JSON and are
// converted by PostgreSQL itself (jsonb_populate_record against the table's row type), so every
// column type is handled the way PostgreSQL would read its text. Rows whose values already equal
// the record are not written (no row version bump, no trigger). Run these in a transaction with
// `kizen_sync.applying` on so the capture trigger ignores them (no echo back to Kizen).

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
  explicit row_writer(std::string schema);

  // Waits for (and then holds until commit) the key's lock — the same lock the outbound sync holds
  // while a request for the key is in flight — so a row is never written under a request for it.
  void lock_key(pqxx::transaction_base& tx, const std::string& object, const std::string& key) const;

  bool exists(pqxx::transaction_base& tx, const table_mapping& m, const std::string& key) const;
  // The key of the row whose entity_id_column holds `entity_id`.
  std::optional<std::string> key_by_entity_column(pqxx::transaction_base& tx, const table_mapping& m,
                                                  const std::string& entity_id) const;
  // The key of the row whose lookup column equals `value` exactly.
  std::optional<std::string> key_by_lookup(pqxx::transaction_base& tx, const table_mapping& m,
                                           const std::string& value) const;

  // Sets `columns` (taken from `values`, column → JSON) and entity_id_column of the row, if any
  // differs (as `kinds` compare); true if the row was written. A column equal as `kinds` compares
  // keeps the row's own value.
  bool update(pqxx::transaction_base& tx, const table_mapping& m, const std::string& key,
              const boost::json::object& values, const std::vector<std::string>& columns,
              const std::string& entity_id, const column_kinds& kinds = {}) const;
  // Of `columns`, those whose values in `a` and `b` (column → JSON) differ once read as the table's
  // column types (and compared as `kinds` says); a column missing from either counts as differing.
  std::vector<std::string> differing(pqxx::transaction_base& tx, const table_mapping& m,
                                     const boost::json::object& a, const boost::json::object& b,
                                     const std::vector<std::string>& columns, const column_kinds& kinds = {}) const;
  // Inserts a row with `columns` from `values`, entity_id_column, and the key when given (else the
  // key column's default makes it); returns the new row's key.
  std::string insert(pqxx::transaction_base& tx, const table_mapping& m,
                     const std::optional<std::string>& key, const boost::json::object& values,
                     const std::vector<std::string>& columns, const std::string& entity_id) const;
  bool remove(pqxx::transaction_base& tx, const table_mapping& m, const std::string& key) const;

 private:
  std::string lock_tag_;  // must equal outbox_store's lock class: "<schema>.outbox"
};

}  // namespace ks::pg
