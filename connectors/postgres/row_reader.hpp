#pragma once
// Reads a mapped table's rows for the sync: a row's image as the capture trigger would write it
// (a referenced row that must reach Kizen first, a follow-up update), and which row mirrors a
// Kizen record (by key, by the entity id column, by the lookup value). Table and column names are
// always quoted; values are parameters.

#include "connectors/postgres/table_mapping.hpp"

#include <boost/json/object.hpp>
#include <optional>
#include <pqxx/transaction_base>
#include <string>

namespace ks::pg {

// `expression` (SQL text) in the form Kizen compares lookup values in: lower case, leading,
// trailing and repeated spaces collapsed. `migrate` indexes it (lookup_index.hpp).
std::string lookup_form_sql(const std::string& expression);

class row_reader {
 public:
  // The row's image exactly as the capture trigger would write it (key, entity id, captured
  // columns; numbers as exact decimal text), or nullopt if the table has no row with that key.
  std::optional<boost::json::object> image(pqxx::transaction_base& tx, const table_mapping& m,
                                           const std::string& key) const;
  // The same, read under a share lock on the row held until the transaction ends, for an image the
  // engine queues itself: it waits for a writer still open on the row and reads what it commits,
  // and a writer coming later waits for this transaction, so its change queues after this one
  // (an older image queued behind a newer change would overwrite it in Kizen).
  std::optional<boost::json::object> locked_image(pqxx::transaction_base& tx, const table_mapping& m,
                                                  const std::string& key) const;

  bool exists(pqxx::transaction_base& tx, const table_mapping& m, const std::string& key) const;
  // Takes the row's lock until the transaction ends (waiting for a writer still open on it, which
  // commits its queued change first); false if there is no such row.
  bool lock(pqxx::transaction_base& tx, const table_mapping& m, const std::string& key) const;
  // The key of the row whose entity_id_column holds `entity_id`.
  std::optional<std::string> key_by_entity_column(pqxx::transaction_base& tx, const table_mapping& m,
                                                  const std::string& entity_id) const;
  // The key of the row whose lookup column matches `value` as Kizen matches lookups: the same
  // value, else case ignored and spaces collapsed (the first such row by key).
  std::optional<std::string> key_by_lookup(pqxx::transaction_base& tx, const table_mapping& m,
                                           const std::string& value) const;
};

}  // namespace ks::pg
