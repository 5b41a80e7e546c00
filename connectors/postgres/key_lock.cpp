#include "connectors/postgres/key_lock.hpp"

#include "connectors/postgres/sql_quote.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <pqxx/result>

namespace ks::pg {

namespace {

// Keys travel as JSON text and are unpacked in SQL, so no value is ever pasted into a query.
std::string keys_json(const std::vector<key_ref>& keys) {
  boost::json::array a;
  for (const auto& k : keys) a.push_back(boost::json::object{{"object", k.object}, {"key", k.key}});
  return boost::json::serialize(a);
}

}  // namespace

key_lock::key_lock(const std::string& schema) : lock_class_(schema + ".outbox") {}

std::string key_lock::key_sql(const std::string& alias) {
  return "hashtext(" + alias + ".object || E'\\x1f' || " + alias + ".key)";
}

std::vector<bool> key_lock::try_hold(pqxx::transaction_base& tx, const std::vector<key_ref>& keys) const {
  std::vector<bool> held(keys.size(), false);
  if (keys.empty()) return held;
  const auto r = tx.exec_params("SELECT n - 1, pg_try_advisory_lock(hashtext($2), " + key_sql("k") +
                                    ") FROM ROWS FROM (jsonb_to_recordset($1::jsonb) AS (object text, key text))"
                                    " WITH ORDINALITY AS k(object, key, n)",
                                keys_json(keys), lock_class_);
  for (const auto& row : r) held.at(row[0].as<std::size_t>()) = row[1].as<bool>();
  return held;
}

void key_lock::release(pqxx::transaction_base& tx, const std::vector<key_ref>& keys) const {
  if (keys.empty()) return;
  tx.exec_params("SELECT pg_advisory_unlock(hashtext($2), " + key_sql("k") +
                     ") FROM jsonb_to_recordset($1::jsonb) AS k(object text, key text)",
                 keys_json(keys), lock_class_);
}

void key_lock::hold_for_transaction(pqxx::transaction_base& tx, const key_ref& key) const {
  tx.exec_params("SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2 || E'\\x1f' || $3))", lock_class_, key.object,
                 key.key);
}

}  // namespace ks::pg
