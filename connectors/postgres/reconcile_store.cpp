#include "connectors/postgres/reconcile_store.hpp"

#include "connectors/postgres/sql_quote.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>
#include <pqxx/result>

namespace ks::pg {

reconcile_store::reconcile_store(std::string schema)
    : progress_(qualified_name(schema, "reconcile_progress")), identities_(qualified_name(schema, "identity_map")) {}

std::optional<reconcile_progress> reconcile_store::get(pqxx::transaction_base& tx, const std::string& object) const {
  const auto r = tx.exec_params(
      "SELECT " + micros_from_timestamp_sql("walk_started") + ", " + micros_from_timestamp_sql("position") +
          ", phase = 'walk', coalesce(unmet_after, ''), records_seen FROM " + progress_ + " WHERE object = $1",
      object);
  if (r.empty()) return std::nullopt;
  reconcile_progress p;
  p.object = object;
  p.walk_started = r[0][0].as<std::int64_t>();
  if (!r[0][1].is_null()) p.position = from_micros(r[0][1].as<std::int64_t>());
  p.walking = r[0][2].as<bool>();
  p.unmet_after = r[0][3].as<std::string>();
  p.records_seen = r[0][4].as<std::int64_t>();
  return p;
}

reconcile_progress reconcile_store::start(pqxx::transaction_base& tx, const std::string& object) const {
  tx.exec_params("INSERT INTO " + progress_ +
                     " (object, walk_started) VALUES ($1, clock_timestamp())"
                     " ON CONFLICT (object) DO UPDATE SET walk_started = clock_timestamp(), position = NULL,"
                     "   phase = 'walk', unmet_after = NULL, records_seen = 0, updated_at = now()",
                 object);
  return *get(tx, object);
}

void reconcile_store::save(pqxx::transaction_base& tx, const reconcile_progress& p) const {
  tx.exec_params("UPDATE " + progress_ + " SET position = CASE WHEN $2::bigint IS NULL THEN NULL ELSE " +
                     timestamp_from_micros_sql("$2") +
                     " END, phase = CASE WHEN $3 THEN 'walk' ELSE 'unmet' END, unmet_after = nullif($4, ''),"
                     " records_seen = $5, updated_at = now() WHERE object = $1",
                 p.object, p.position ? std::optional<std::int64_t>(to_micros(*p.position)) : std::nullopt, p.walking,
                 p.unmet_after, p.records_seen);
}

void reconcile_store::finish(pqxx::transaction_base& tx, const std::string& object) const {
  tx.exec_params("DELETE FROM " + progress_ + " WHERE object = $1", object);
}

std::map<std::string, std::optional<timestamp>> reconcile_store::meet(
    pqxx::transaction_base& tx, const reconcile_progress& p, const std::vector<std::string>& entity_ids) const {
  std::map<std::string, std::optional<timestamp>> known;
  if (entity_ids.empty()) return known;
  const auto r = tx.exec_params(
      "UPDATE " + identities_ + " SET reconciled_at = " + timestamp_from_micros_sql("$2") +
          " WHERE object = $1 AND entity_id = ANY(ARRAY(SELECT jsonb_array_elements_text($3::jsonb))::uuid[])"
          " RETURNING entity_id::text, " +
          micros_from_timestamp_sql("kizen_updated"),
      p.object, p.walk_started, boost::json::serialize(boost::json::value_from(entity_ids)));
  for (const auto& row : r)
    known[row[0].as<std::string>()] =
        row[1].is_null() ? std::nullopt : std::optional<timestamp>(from_micros(row[1].as<std::int64_t>()));
  return known;
}

std::vector<std::pair<std::string, std::string>> reconcile_store::unmet(pqxx::transaction_base& tx,
                                                                        const reconcile_progress& p, int limit) const {
  const auto r = tx.exec_params("SELECT key, entity_id::text FROM " + identities_ +
                                    " WHERE object = $1 AND key > $2"
                                    "   AND reconciled_at IS DISTINCT FROM " +
                                    timestamp_from_micros_sql("$3") + "   AND created_at < " +
                                    timestamp_from_micros_sql("$3") + " ORDER BY key LIMIT $4",
                                p.object, p.unmet_after, p.walk_started, limit);
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& row : r) out.emplace_back(row[0].as<std::string>(), row[1].as<std::string>());
  return out;
}

}  // namespace ks::pg
