#pragma once
// Checks that a mapped table can be synced, for `kizen-sync check --online` and before `migrate`
// installs a capture trigger: the table exists, every mapped/key/lookup/entity_id column exists,
// the key column is unique, the entity_id column can hold a UUID, and rows made for new Kizen
// records can get a key.

#include "connectors/postgres/table_mapping.hpp"

#include <pqxx/transaction_base>
#include <string>
#include <vector>

namespace ks::pg {

class table_inspector {
 public:
  // Every problem of `mapping`'s table, one message each naming the object, the table and the
  // column (prefixed with the config location when known); empty when the table is fine.
  // Only reads the catalogs.
  std::vector<std::string> inspect(pqxx::transaction_base& tx, const table_mapping& mapping) const;

  // Where the key of a row made for a new Kizen record comes from (beyond key_field): the key
  // column's default (or identity), else the Kizen record id when the column is text or uuid;
  // `none` otherwise, and when the table or the column does not exist.
  new_row_key new_key_source(pqxx::transaction_base& tx, const table_mapping& mapping) const;
  // For a mapping that pulls: the problem (one message) when a new Kizen record cannot get a key.
  std::vector<std::string> new_record_problems(pqxx::transaction_base& tx, const table_mapping& mapping) const;
};

// schema.table for messages, each part quoted only where SQL would need quotes.
std::string display_table_name(const std::string& schema, const std::string& table);

}  // namespace ks::pg
