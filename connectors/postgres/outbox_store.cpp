#include "connectors/postgres/outbox_store.hpp"

#include "connectors/postgres/sql_quote.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>
#include <pqxx/result>

namespace ks::pg {

namespace json = boost::json;

namespace {

// Parameters travel as JSON text and are unpacked in SQL, so no value is ever pasted into a query.
std::string ids_json(const std::vector<std::int64_t>& ids) { return json::serialize(json::value_from(ids)); }

std::string keys_json(const std::vector<key_ref>& keys) {
  json::array a;
  for (const auto& k : keys) a.push_back(json::object{{"object", k.object}, {"key", k.key}});
  return json::serialize(a);
}

constexpr const char* ids_param = "ARRAY(SELECT jsonb_array_elements_text($1::jsonb)::bigint)";

// Row images with numbers turned into their exact decimal text: jsonb keeps numeric precision,
// a C++ double would not.
std::string exact_image(const char* column) {
  return std::string("(SELECT jsonb_object_agg(k, CASE jsonb_typeof(v) WHEN 'number' THEN to_jsonb(v #>> '{}') ") +
         "ELSE v END) FROM jsonb_each(" + column + ") AS e(k, v))::text";
}

json::object parse_object(const pqxx::field& f) {
  if (f.is_null()) return {};
  boost::system::error_code ec;
  auto v = json::parse(f.c_str(), ec);
  if (ec || !v.is_object()) return {};
  return std::move(v.as_object());
}

}  // namespace

outbox_store::outbox_store(std::string schema) : table_(qualified_name(schema, "outbox")), leases_(schema) {}

std::vector<outbox_change> outbox_store::pending_changes(pqxx::transaction_base& tx, const key_ref& key,
                                                         int limit) const {
  const auto r = tx.exec_params("SELECT id, op, changed_columns::text[], " + exact_image("new_row") + ", " +
                                    exact_image("old_row") + ", " + micros_from_timestamp_sql("created_at") +
                                    ", attempts, state, next_attempt_at <= clock_timestamp(), moved_key"
                                    " FROM " +
                                    table_ +
                                    " WHERE object = $1 AND key = $2 AND state <> 'done'"
                                    " ORDER BY id LIMIT $3",
                                key.object, key.key, limit);
  std::vector<outbox_change> out;
  for (std::size_t i = 0; i < r.size(); ++i) {
    const auto row = r[i];
    if (outbox_state_from(row[7].c_str()) != outbox_state::pending) break;  // a dead change holds back the rest
    if (i == 0 && !row[8].as<bool>()) break;                                // head not due yet
    outbox_change c;
    c.id = row[0].as<std::int64_t>();
    c.object = key.object;
    c.key = key.key;
    c.op = change_op_from(row[1].c_str());
    auto arr = row[2].as_array();
    for (auto [kind, text] = arr.get_next(); kind != pqxx::array_parser::done; std::tie(kind, text) = arr.get_next())
      if (kind == pqxx::array_parser::string_value) c.changed_columns.push_back(text);
    c.new_row = parse_object(row[3]);
    c.old_row = parse_object(row[4]);
    c.created_at = std::chrono::system_clock::time_point(std::chrono::microseconds(row[5].as<std::int64_t>()));
    c.attempts = row[6].as<int>();
    if (!row[9].is_null()) c.moved_key = row[9].as<std::string>();
    out.push_back(std::move(c));
  }
  return out;
}

std::int64_t outbox_store::mark_done(pqxx::transaction_base& tx, const std::vector<std::int64_t>& ids,
                                     const std::optional<std::string>& entity_id,
                                     const std::optional<timestamp>& kizen_updated) const {
  const std::optional<std::int64_t> updated =
      kizen_updated ? std::optional<std::int64_t>(to_micros(*kizen_updated)) : std::nullopt;
  const auto r =
      tx.exec_params("UPDATE " + table_ +
                         " SET state = 'done', applied_at = clock_timestamp(), last_error = NULL,"
                         " entity_id = $2::uuid, kizen_updated = " +
                         timestamp_from_micros_sql("$3") + " WHERE id = ANY(" + ids_param + ") AND state = 'pending'",
                     ids_json(ids), entity_id, updated);
  return static_cast<std::int64_t>(r.affected_rows());
}

void outbox_store::schedule_retry(pqxx::transaction_base& tx, const std::vector<std::int64_t>& ids, int attempts,
                                  std::chrono::milliseconds delay, const std::string& error,
                                  std::optional<int> http_status) const {
  tx.exec_params("UPDATE " + table_ +
                     " SET attempts = $2, last_error = $3, http_status = $4,"
                     " next_attempt_at = clock_timestamp() + $5::bigint * interval '1 millisecond'"
                     " WHERE id = ANY(" +
                     std::string(ids_param) + ") AND state = 'pending'",
                 ids_json(ids), attempts, error, http_status, static_cast<std::int64_t>(delay.count()));
}

void outbox_store::defer(pqxx::transaction_base& tx, const std::vector<std::int64_t>& ids,
                         std::chrono::milliseconds delay, const std::string& reason) const {
  tx.exec_params("UPDATE " + table_ +
                     " SET last_error = $2,"
                     " next_attempt_at = clock_timestamp() + $3::bigint * interval '1 millisecond'"
                     " WHERE id = ANY(" +
                     std::string(ids_param) + ") AND state = 'pending'",
                 ids_json(ids), reason, static_cast<std::int64_t>(delay.count()));
}

void outbox_store::mark_dead(pqxx::transaction_base& tx, const std::vector<std::int64_t>& ids, int attempts,
                             const std::string& error, std::optional<int> http_status) const {
  tx.exec_params("UPDATE " + table_ +
                     " SET state = 'dead', attempts = $2, last_error = $3,"
                     " http_status = $4 WHERE id = ANY(" +
                     std::string(ids_param) + ") AND state = 'pending'",
                 ids_json(ids), attempts, error, http_status);
}

void outbox_store::note_attempt(pqxx::transaction_base& tx, const std::vector<std::int64_t>& ids,
                                std::chrono::milliseconds search_visibility) const {
  tx.exec_params(
      "UPDATE " + table_ +
          " SET attempts = attempts + 1,"
          "   next_attempt_at = greatest(next_attempt_at, clock_timestamp() + $2::bigint * interval '1 millisecond')"
          " WHERE id = ANY(" +
          std::string(ids_param) + ") AND state = 'pending'",
      ids_json(ids), static_cast<long long>(search_visibility.count()));
}

std::int64_t outbox_store::enqueue(pqxx::transaction_base& tx, const std::string& object, const std::string& key,
                                   change_op op, const std::vector<std::string>& changed_columns,
                                   const json::object& new_row) const {
  const auto r = tx.exec_params(
      "INSERT INTO " + table_ +
          " (object, key, op, changed_columns, new_row)"
          " VALUES ($1, $2, $3, ARRAY(SELECT jsonb_array_elements_text($4::jsonb)), $5::jsonb) RETURNING id",
      object, key, to_string(op), json::serialize(json::value_from(changed_columns)), json::serialize(new_row));
  return r[0][0].as<std::int64_t>();
}

std::int64_t outbox_store::replay(pqxx::transaction_base& tx, const std::optional<std::string>& object,
                                  const std::vector<std::int64_t>& ids) const {
  const auto r = tx.exec_params("UPDATE " + table_ +
                                    " SET state = 'pending', attempts = 0, next_attempt_at = clock_timestamp()"
                                    " WHERE state = 'dead' AND ($2::text IS NULL OR object = $2)"
                                    "   AND (jsonb_array_length($1::jsonb) = 0 OR id = ANY(" +
                                    std::string(ids_param) + "))",
                                ids_json(ids), object);
  return static_cast<std::int64_t>(r.affected_rows());
}

std::int64_t outbox_store::skip_dead(pqxx::transaction_base& tx, const std::optional<std::string>& object,
                                     const std::vector<std::int64_t>& ids) const {
  const auto r = tx.exec_params("UPDATE " + table_ +
                                    " SET state = 'done', applied_at = clock_timestamp(),"
                                    "   last_error = 'skipped by operator (not sent): ' || coalesce(last_error, '')"
                                    " WHERE state = 'dead' AND ($2::text IS NULL OR object = $2)"
                                    "   AND (jsonb_array_length($1::jsonb) = 0 OR id = ANY(" +
                                    std::string(ids_param) + "))",
                                ids_json(ids), object);
  return static_cast<std::int64_t>(r.affected_rows());
}

std::int64_t outbox_store::purge_done(pqxx::transaction_base& tx, std::chrono::milliseconds retention,
                                      int batch) const {
  const auto r = tx.exec_params(
      "DELETE FROM " + table_ + " WHERE id IN (SELECT id FROM " + table_ +
          " WHERE state = 'done' AND applied_at < clock_timestamp() - $1::bigint * interval '1 millisecond'"
          " ORDER BY applied_at LIMIT $2)",
      static_cast<std::int64_t>(retention.count()), batch);
  return static_cast<std::int64_t>(r.affected_rows());
}

std::vector<outbox_object_status> outbox_store::status(pqxx::transaction_base& tx) const {
  const auto r =
      tx.exec("WITH open AS (SELECT o.*, (SELECT min(d.id) FROM " + table_ +
                         " d WHERE d.object = o.object"
                         "                 AND d.key = o.key AND d.state = 'dead') AS dead_head"
                         "              FROM " +
                         table_ +
                         " o WHERE o.state <> 'done')"
                         " SELECT object,"
                         "   count(*) FILTER (WHERE state = 'pending'),"
                         "   count(*) FILTER (WHERE state = 'dead'),"
                         "   count(*) FILTER (WHERE state = 'pending' AND dead_head < id),"
                         "   (SELECT count(*) FROM " +
                         leases_.table() +
                         " l WHERE l.object = open.object AND l.lease_until > clock_timestamp()),"
                         "   extract(epoch FROM clock_timestamp() - min(created_at) FILTER (WHERE state = 'pending')),"
                         "   0"
                         " FROM open GROUP BY object"
                         " UNION ALL"
                         " SELECT object, 0, 0, 0, 0, NULL, count(*) FROM " +
                         table_ +
                         " WHERE state = 'done' AND applied_at > clock_timestamp() - interval '1 hour'"
                         "   AND (last_error IS NULL OR last_error NOT LIKE 'skipped by operator%') GROUP BY object");
  std::vector<outbox_object_status> out;
  auto entry = [&](const std::string& object) -> outbox_object_status& {
    for (auto& s : out)
      if (s.object == object) return s;
    outbox_object_status fresh;
    fresh.object = object;
    out.push_back(std::move(fresh));
    return out.back();
  };
  for (const auto& row : r) {
    auto& s = entry(row[0].as<std::string>());
    s.pending += row[1].as<std::int64_t>();
    s.dead += row[2].as<std::int64_t>();
    s.blocked += row[3].as<std::int64_t>();
    s.in_flight_keys += row[4].as<std::int64_t>();
    if (!row[5].is_null()) s.oldest_pending_seconds = row[5].as<double>();
    s.applied_last_hour += row[6].as<std::int64_t>();
  }
  return out;
}

std::vector<dead_letter> outbox_store::dead_letters(pqxx::transaction_base& tx,
                                                    const std::optional<std::string>& object, int limit) const {
  const auto r = tx.exec_params("SELECT id, object, key, op, attempts, http_status, coalesce(last_error, ''), " +
                                    micros_from_timestamp_sql("created_at") + " FROM " + table_ +
                                    " WHERE state = 'dead' AND ($1::text IS NULL OR object = $1) ORDER BY id LIMIT $2",
                                object, limit);
  std::vector<dead_letter> out;
  for (const auto& row : r) {
    dead_letter d;
    d.id = row[0].as<std::int64_t>();
    d.object = row[1].as<std::string>();
    d.key = row[2].as<std::string>();
    d.op = row[3].as<std::string>();
    d.attempts = row[4].as<int>();
    if (!row[5].is_null()) d.http_status = row[5].as<int>();
    d.last_error = row[6].as<std::string>();
    d.created_at = from_micros(row[7].as<std::int64_t>());
    out.push_back(std::move(d));
  }
  return out;
}

std::optional<outbox_state> outbox_store::open_state(pqxx::transaction_base& tx, const key_ref& key) const {
  const auto h = open_head(tx, key);
  if (!h) return std::nullopt;
  return h->state;
}

std::optional<outbox_store::head> outbox_store::open_head(pqxx::transaction_base& tx, const key_ref& key) const {
  const auto r = tx.exec_params(
      "SELECT id, state FROM " + table_ + " WHERE object = $1 AND key = $2 AND state <> 'done' ORDER BY id LIMIT 1",
      key.object, key.key);
  if (r.empty()) return std::nullopt;
  return head{r[0][0].as<std::int64_t>(), outbox_state_from(r[0][1].c_str())};
}

std::vector<outbox_store::backlog_entry> outbox_store::backlog(pqxx::transaction_base& tx) const {
  const auto r = tx.exec(
      "SELECT object, count(*) FILTER (WHERE state = 'pending'),"
      " count(*) FILTER (WHERE state = 'dead') FROM " +
      table_ + " WHERE state <> 'done' GROUP BY object ORDER BY object");
  std::vector<backlog_entry> out;
  for (const auto& row : r)
    out.push_back({row[0].as<std::string>(), row[1].as<std::int64_t>(), row[2].as<std::int64_t>()});
  return out;
}

}  // namespace ks::pg
