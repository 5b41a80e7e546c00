#include "connectors/postgres/resync_store.hpp"

#include "connectors/postgres/capture_trigger.hpp"
#include "connectors/postgres/sql_quote.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>
#include <pqxx/result>

namespace ks::pg {

namespace json = boost::json;

resync_store::resync_store(std::string schema)
    : schema_(schema),
      progress_table_(qualified_name(schema, "resync_progress")),
      outbox_table_(qualified_name(schema, "outbox")) {}

std::optional<resync_progress> resync_store::load(pqxx::transaction_base& tx, const std::string& object,
                                                  const std::string& direction) const {
  const auto r = tx.exec_params("SELECT total, done, position::text, first_change_id, finished_at IS NOT NULL FROM " +
                                    progress_table_ + " WHERE object = $1 AND direction = $2",
                                object, direction);
  if (r.empty()) return std::nullopt;
  resync_progress p;
  p.object = object;
  p.direction = direction;
  p.total = r[0][0].as<std::int64_t>();
  p.done = r[0][1].as<std::int64_t>();
  if (auto v = json::parse(r[0][2].c_str()); v.is_object()) p.position = v.as_object();
  if (!r[0][3].is_null()) p.first_change_id = r[0][3].as<std::int64_t>();
  p.finished = r[0][4].as<bool>();
  return p;
}

void resync_store::save(pqxx::transaction_base& tx, const resync_progress& p) const {
  tx.exec_params("INSERT INTO " + progress_table_ +
                     " (object, direction, total, done, position, first_change_id, finished_at)"
                     " VALUES ($1, $2, $3, $4, $5::jsonb, $6, CASE WHEN $7 THEN now() END)"
                     " ON CONFLICT (object, direction) DO UPDATE SET total = EXCLUDED.total,"
                     " done = EXCLUDED.done, position = EXCLUDED.position,"
                     " first_change_id = EXCLUDED.first_change_id, finished_at = EXCLUDED.finished_at,"
                     " updated_at = now(),"
                     " started_at = CASE WHEN EXCLUDED.done = 0 THEN now() ELSE " +
                     progress_table_ + ".started_at END",
                 p.object, p.direction, p.total, p.done, json::serialize(p.position), p.first_change_id, p.finished);
}

std::int64_t resync_store::count_rows(pqxx::transaction_base& tx, const table_mapping& m) const {
  return tx.exec1("SELECT count(*) FROM " + qualified_name(m.table_schema, m.table))[0].as<std::int64_t>();
}

queued_batch resync_store::enqueue_rows(pqxx::transaction_base& tx, const table_mapping& m,
                                        const std::optional<std::string>& after_key, int limit) const {
  const auto captured = captured_columns(m);
  auto imaged = captured;
  if (m.entity_id_column) imaged.push_back(*m.entity_id_column);
  const auto key = quote_identifier(m.key);
  // The resume key is compared in the key column's own type (an untyped parameter), so keys are
  // walked in the table's order and the primary key index serves the walk.
  const std::string where = after_key ? " WHERE t." + key + " > $5" : std::string();
  // FOR SHARE (see row_reader::locked_image): a user's change still open on a row commits first and
  // is read here; one started later queues after this batch. Not allowed with a window function,
  // hence the two steps.
  const std::string sql =
      "WITH locked AS (SELECT t." + key + " AS sort_key, t." + key + "::text AS k, to_jsonb(t) AS j FROM " +
      qualified_name(m.table_schema, m.table) + " t" + where + " ORDER BY t." + key +
      " LIMIT $4 FOR SHARE OF t),"
      " picked AS (SELECT row_number() OVER (ORDER BY sort_key) AS n, k, j FROM locked),"
      " queued AS (INSERT INTO " +
      outbox_table_ +
      " (object, key, op, changed_columns, new_row)"
      "   SELECT $1, k, 'insert', ARRAY(SELECT jsonb_array_elements_text($2::jsonb)),"
      "          (SELECT jsonb_object_agg(c, j -> c) FROM jsonb_array_elements_text($3::jsonb) AS c)"
      "   FROM picked ORDER BY n RETURNING id)"
      " SELECT (SELECT count(*) FROM picked), (SELECT k FROM picked ORDER BY n DESC LIMIT 1),"
      "        (SELECT min(id) FROM queued)";
  const auto captured_json = json::serialize(json::value_from(captured));
  const auto imaged_json = json::serialize(json::value_from(imaged));
  const auto r = after_key ? tx.exec_params(sql, m.object, captured_json, imaged_json, limit, *after_key)
                           : tx.exec_params(sql, m.object, captured_json, imaged_json, limit);
  queued_batch b;
  b.rows = r[0][0].as<std::int64_t>();
  if (!r[0][1].is_null()) b.last_key = r[0][1].as<std::string>();
  if (!r[0][2].is_null()) b.first_change_id = r[0][2].as<std::int64_t>();
  return b;
}

queued_outcome resync_store::outcome_since(pqxx::transaction_base& tx, const std::string& object,
                                           std::int64_t first_change_id) const {
  const auto r = tx.exec_params(
      "SELECT count(*) FILTER (WHERE state = 'pending'), count(*) FILTER (WHERE state = 'dead'),"
      " count(*) FILTER (WHERE state = 'done') FROM " +
          outbox_table_ + " WHERE object = $1 AND id >= $2",
      object, first_change_id);
  return {r[0][0].as<std::int64_t>(), r[0][1].as<std::int64_t>(), r[0][2].as<std::int64_t>()};
}

}  // namespace ks::pg
