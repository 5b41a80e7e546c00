#include "connectors/postgres/inbound_failure_store.hpp"

#include "connectors/postgres/sql_quote.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>
#include <pqxx/result>

namespace ks::pg {

namespace {

std::string ids_json(const std::vector<std::string>& ids) {
  return boost::json::serialize(boost::json::value_from(ids));
}

constexpr const char* selection =
    "($1::text IS NULL OR object = $1)"
    " AND (jsonb_array_length($2::jsonb) = 0 OR entity_id = ANY(ARRAY(SELECT "
    "jsonb_array_elements_text($2::jsonb))::uuid[]))";

std::vector<inbound_failure> read(const pqxx::result& r) {
  std::vector<inbound_failure> out;
  for (const auto& row : r) {
    inbound_failure f;
    f.object = row[0].as<std::string>();
    f.entity_id = row[1].as<std::string>();
    if (!row[2].is_null()) f.kizen_updated = from_micros(row[2].as<std::int64_t>());
    f.reason = row[3].as<std::string>();
    f.attempts = row[4].as<int>();
    f.first_failed_at = from_micros(row[5].as<std::int64_t>());
    f.next_attempt_at = from_micros(row[6].as<std::int64_t>());
    out.push_back(std::move(f));
  }
  return out;
}

std::string columns() {
  return "object, entity_id::text, " + micros_from_timestamp_sql("kizen_updated") + ", reason, attempts, " +
         micros_from_timestamp_sql("first_failed_at") + ", " + micros_from_timestamp_sql("next_attempt_at");
}

}  // namespace

inbound_failure_store::inbound_failure_store(std::string schema) : table_(qualified_name(schema, "inbound_failures")) {}

void inbound_failure_store::record(pqxx::transaction_base& tx, const std::string& object, const std::string& entity_id,
                                   const std::optional<timestamp>& kizen_updated, const std::string& reason,
                                   const failure_backoff& backoff) const {
  const std::optional<std::int64_t> updated =
      kizen_updated ? std::optional<std::int64_t>(to_micros(*kizen_updated)) : std::nullopt;
  // The delay doubles with each attempt: initial * 2^(attempts - 1), capped (and the exponent with it).
  tx.exec_params(
      "INSERT INTO " + table_ +
          " AS f (object, entity_id, kizen_updated, reason, next_attempt_at)"
          " VALUES ($1, $2::uuid, " +
          timestamp_from_micros_sql("$3") +
          ", $4,"
          "         clock_timestamp() + $5::bigint * interval '1 millisecond')"
          " ON CONFLICT (object, entity_id) DO UPDATE SET"
          "   kizen_updated = coalesce(excluded.kizen_updated, f.kizen_updated), reason = excluded.reason,"
          "   attempts = f.attempts + 1, last_failed_at = clock_timestamp(),"
          "   next_attempt_at = clock_timestamp() + least($6::bigint, $5::bigint * power(2, least(f.attempts, 30)))"
          "                     * interval '1 millisecond'",
      object, entity_id, updated, reason, static_cast<std::int64_t>(backoff.initial.count()),
      static_cast<std::int64_t>(backoff.max.count()));
}

void inbound_failure_store::clear(pqxx::transaction_base& tx, const std::string& object,
                                  const std::vector<std::string>& entity_ids) const {
  if (entity_ids.empty()) return;
  tx.exec_params(
      "DELETE FROM " + table_ +
          " WHERE object = $1 AND entity_id = ANY(ARRAY(SELECT jsonb_array_elements_text($2::jsonb))::uuid[])",
      object, ids_json(entity_ids));
}

std::vector<inbound_failure> inbound_failure_store::due(pqxx::transaction_base& tx, const std::string& object,
                                                        int limit) const {
  return read(tx.exec_params("SELECT " + columns() + " FROM " + table_ +
                                 " WHERE object = $1 AND next_attempt_at <= clock_timestamp()"
                                 " ORDER BY next_attempt_at LIMIT $2",
                             object, limit));
}

std::vector<inbound_failure_summary> inbound_failure_store::summary(pqxx::transaction_base& tx) const {
  const auto r = tx.exec("SELECT object, count(*), " + micros_from_timestamp_sql("min(first_failed_at)") +
                         ", (array_agg(reason ORDER BY last_failed_at DESC))[1] FROM " + table_ +
                         " GROUP BY object ORDER BY object");
  std::vector<inbound_failure_summary> out;
  for (const auto& row : r)
    out.push_back({row[0].as<std::string>(), row[1].as<std::int64_t>(), from_micros(row[2].as<std::int64_t>()),
                   row[3].as<std::string>()});
  return out;
}

std::vector<inbound_failure> inbound_failure_store::list(pqxx::transaction_base& tx,
                                                         const std::optional<std::string>& object, int limit) const {
  return read(tx.exec_params("SELECT " + columns() + " FROM " + table_ +
                                 " WHERE $1::text IS NULL OR object = $1 ORDER BY first_failed_at LIMIT $2",
                             object, limit));
}

std::int64_t inbound_failure_store::retry_now(pqxx::transaction_base& tx, const std::optional<std::string>& object,
                                              const std::vector<std::string>& entity_ids) const {
  const auto r =
      tx.exec_params("UPDATE " + table_ + " SET next_attempt_at = clock_timestamp() WHERE " + std::string(selection),
                     object, ids_json(entity_ids));
  return static_cast<std::int64_t>(r.affected_rows());
}

std::int64_t inbound_failure_store::drop(pqxx::transaction_base& tx, const std::optional<std::string>& object,
                                         const std::vector<std::string>& entity_ids) const {
  const auto r =
      tx.exec_params("DELETE FROM " + table_ + " WHERE " + std::string(selection), object, ids_json(entity_ids));
  return static_cast<std::int64_t>(r.affected_rows());
}

}  // namespace ks::pg
