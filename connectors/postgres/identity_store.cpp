#include "connectors/postgres/identity_store.hpp"

#include "common/uuid_text.hpp"
#include "connectors/postgres/sql_quote.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <pqxx/result>

namespace ks::pg {

identity_store::identity_store(std::string schema) : table_(qualified_name(schema, "identity_map")) {}

std::optional<identity> identity_store::select_one(pqxx::transaction_base& tx, const std::string& where,
                                                   const std::string& object, const std::string& value) const {
  const auto r = tx.exec_params(
      "SELECT object, key, entity_id::text, synced_values::text, " + micros_from_timestamp_sql("kizen_updated") + ", " +
          micros_from_timestamp_sql("created_at") + ", " + micros_from_timestamp_sql("updated_at") + " FROM " + table_ +
          " WHERE object = $1 AND " + where,
      object, value);
  if (r.empty()) return std::nullopt;
  const auto row = r[0];
  identity out;
  out.object = row[0].as<std::string>();
  out.key = row[1].as<std::string>();
  out.entity_id = row[2].as<std::string>();
  auto values = boost::json::parse(row[3].as<std::string>());
  if (values.is_object()) out.synced_values = std::move(values.as_object());
  if (!row[4].is_null()) out.kizen_updated = from_micros(row[4].as<std::int64_t>());
  out.created_at = from_micros(row[5].as<std::int64_t>());
  out.updated_at = from_micros(row[6].as<std::int64_t>());
  return out;
}

std::optional<identity> identity_store::find(pqxx::transaction_base& tx, const std::string& object,
                                             const std::string& key) const {
  return select_one(tx, "key = $2", object, key);
}

std::optional<identity> identity_store::find_by_entity(pqxx::transaction_base& tx, const std::string& object,
                                                       const std::string& entity_id) const {
  if (!is_uuid(entity_id)) return std::nullopt;
  return select_one(tx, "entity_id = $2::uuid", object, entity_id);
}

ks::result<void, identity_error> identity_store::save(pqxx::transaction_base& tx, const std::string& object,
                                                      const std::string& key, const std::string& entity_id,
                                                      const boost::json::object& synced_values,
                                                      std::optional<timestamp> kizen_updated) const {
  const std::string where = "object " + object + ", key " + key;
  if (!is_uuid(entity_id))
    return ks::fail(identity_error{
        identity_error::kind::invalid_entity_id, where + ": entity_id \"" + entity_id + "\" is not a UUID", {}});

  // Checked first: a unique violation would abort the caller's whole transaction.
  const auto other =
      tx.exec_params("SELECT key FROM " + table_ + " WHERE object = $1 AND entity_id = $2::uuid AND key <> $3", object,
                     entity_id, key);
  if (!other.empty()) {
    const auto other_key = other[0][0].as<std::string>();
    return ks::fail(identity_error{identity_error::kind::entity_mapped_elsewhere,
                                   where + ": Kizen record " + normalize_uuid(entity_id) +
                                       " is already mapped to key " + other_key +
                                       " of that object; refusing to map it to a second key",
                                   other_key});
  }

  const std::optional<std::int64_t> updated_micros =
      kizen_updated ? std::optional<std::int64_t>(to_micros(*kizen_updated)) : std::nullopt;
  tx.exec_params("INSERT INTO " + table_ +
                     " AS i (object, key, entity_id, synced_values, kizen_updated)"
                     " VALUES ($1, $2, $3::uuid, $4::jsonb, " +
                     timestamp_from_micros_sql("$5") +
                     ") ON CONFLICT (object, key) DO UPDATE SET entity_id = EXCLUDED.entity_id,"
                     " synced_values = EXCLUDED.synced_values,"
                     " kizen_updated = EXCLUDED.kizen_updated, updated_at = now()",
                 object, key, entity_id, boost::json::serialize(synced_values), updated_micros);
  return ks::ok;
}

bool identity_store::move(pqxx::transaction_base& tx, const std::string& object, const std::string& from,
                          const std::string& to) const {
  return tx.exec_params("UPDATE " + table_ + " SET key = $3, updated_at = now() WHERE object = $1 AND key = $2" +
                            " AND NOT EXISTS (SELECT 1 FROM " + table_ + " WHERE object = $1 AND key = $3)",
                        object, from, to)
             .affected_rows() > 0;
}

bool identity_store::remove(pqxx::transaction_base& tx, const std::string& object, const std::string& key) const {
  return tx.exec_params("DELETE FROM " + table_ + " WHERE object = $1 AND key = $2", object, key).affected_rows() > 0;
}

std::int64_t identity_store::count(pqxx::transaction_base& tx, const std::string& object) const {
  return tx.exec_params1("SELECT count(*) FROM " + table_ + " WHERE object = $1", object)[0].as<std::int64_t>();
}

}  // namespace ks::pg

namespace ks::pg {

std::vector<std::pair<std::string, std::string>> identity_store::entries(pqxx::transaction_base& tx,
                                                                         const std::string& object) const {
  const auto r =
      tx.exec_params("SELECT key, entity_id::text FROM " + table_ + " WHERE object = $1 ORDER BY key", object);
  std::vector<std::pair<std::string, std::string>> out;
  out.reserve(r.size());
  for (const auto& row : r) out.emplace_back(row[0].as<std::string>(), row[1].as<std::string>());
  return out;
}

}  // namespace ks::pg
