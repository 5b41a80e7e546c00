#pragma once
// Direct access to a mapped table's rows, for what the capture trigger does not cover: the image
// of a row that must reach Kizen before a row referencing it, and writing the Kizen record id
// back into `entity_id_column`. Table and column names are always quoted; values are parameters.

#include "connectors/postgres/table_mapping.hpp"

#include <boost/json/object.hpp>
#include <optional>
#include <pqxx/transaction_base>
#include <string>

namespace ks::pg {

class table_rows {
 public:
  // The row's image exactly as the capture trigger would write it (key, entity id, captured
  // columns; numbers as exact decimal text), or nullopt if the table has no row with that key.
  std::optional<boost::json::object> image(pqxx::transaction_base& tx,
                                           const table_mapping& mapping,
                                           const std::string& key) const;

  // Sets entity_id_column of the row to `entity_id` unless it already holds it; true if written.
  // Run it in a transaction with kizen_sync.applying on, so the write is not captured.
  bool write_entity_id(pqxx::transaction_base& tx, const table_mapping& mapping,
                       const std::string& key, const std::string& entity_id) const;
};

}  // namespace ks::pg
