#include "connectors/postgres/cursor_store.hpp"

#include "common/uuid_text.hpp"
#include "connectors/postgres/sql_quote.hpp"

#include <pqxx/result>

namespace ks::pg {

cursor_store::cursor_store(std::string schema) : table_(qualified_name(schema, "pull_cursors")) {}

pull_cursor cursor_store::get(pqxx::transaction_base& tx, const std::string& object) const {
  pull_cursor out;
  out.object = object;
  const auto r = tx.exec_params("SELECT " + micros_from_timestamp_sql("cursor_updated") + ", cursor_id::text, " +
                                    micros_from_timestamp_sql("last_pull_at") +
                                    ", last_pull_error, records_pulled FROM " + table_ + " WHERE object = $1",
                                object);
  if (r.empty()) return out;
  const auto row = r[0];
  if (!row[0].is_null()) out.updated = from_micros(row[0].as<std::int64_t>());
  if (!row[1].is_null()) out.id = row[1].as<std::string>();
  if (!row[2].is_null()) out.last_pull_at = from_micros(row[2].as<std::int64_t>());
  if (!row[3].is_null()) out.last_pull_error = row[3].as<std::string>();
  out.records_pulled = row[4].as<std::int64_t>();
  return out;
}

ks::result<bool, std::string> cursor_store::advance(pqxx::transaction_base& tx, const std::string& object,
                                                    timestamp updated, const std::string& id) const {
  if (!is_uuid(id))
    return ks::fail("object " + object + ": cannot advance the pull cursor to record id \"" + id + "\": not a UUID");
  const auto r =
      tx.exec_params("INSERT INTO " + table_ + " AS c (object, cursor_updated, cursor_id) VALUES ($1, " +
                         timestamp_from_micros_sql("$2") +
                         ", $3::uuid) ON CONFLICT (object) DO UPDATE SET cursor_updated = EXCLUDED.cursor_updated,"
                         " cursor_id = EXCLUDED.cursor_id"
                         " WHERE c.cursor_updated IS NULL OR c.cursor_id IS NULL"
                         "    OR (EXCLUDED.cursor_updated, EXCLUDED.cursor_id) > (c.cursor_updated, c.cursor_id)",
                     object, to_micros(updated), id);
  return r.affected_rows() > 0;
}

void cursor_store::record_pull(pqxx::transaction_base& tx, const std::string& object,
                               const std::optional<std::string>& error, std::int64_t records) const {
  tx.exec_params("INSERT INTO " + table_ +
                     " AS c (object, last_pull_at, last_pull_error, records_pulled)"
                     " VALUES ($1, now(), $2, $3) ON CONFLICT (object) DO UPDATE SET"
                     " last_pull_at = now(), last_pull_error = EXCLUDED.last_pull_error,"
                     " records_pulled = c.records_pulled + EXCLUDED.records_pulled",
                 object, error, records);
}

void cursor_store::reset(pqxx::transaction_base& tx, const std::string& object) const {
  tx.exec_params("UPDATE " + table_ + " SET cursor_updated = NULL, cursor_id = NULL WHERE object = $1", object);
}

}  // namespace ks::pg
