#include "connectors/postgres/pending_columns.hpp"

#include "connectors/postgres/sql_quote.hpp"
#include "connectors/postgres/values.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>
#include <pqxx/result>

namespace ks::pg {

pending_columns::pending_columns(std::string schema) : table_(qualified_name(schema, "outbox")) {}

std::map<std::string, std::chrono::system_clock::time_point> pending_columns::of_key(pqxx::transaction_base& tx,
                                                                                     const std::string& object,
                                                                                     const std::string& key) const {
  const auto r = tx.exec_params("SELECT c, " + micros_from_timestamp_sql("max(created_at)") + " FROM " + table_ +
                                    ", unnest(changed_columns) AS c"
                                    " WHERE object = $1 AND key = $2 AND state = 'pending' GROUP BY c",
                                object, key);
  std::map<std::string, std::chrono::system_clock::time_point> out;
  for (const auto& row : r)
    out[row[0].as<std::string>()] =
        std::chrono::system_clock::time_point(std::chrono::microseconds(row[1].as<std::int64_t>()));
  return out;
}

void pending_columns::drop(pqxx::transaction_base& tx, const std::string& object, const std::string& key,
                           const std::vector<std::string>& columns, const boost::json::object& row) const {
  if (columns.empty()) return;
  const auto list = boost::json::serialize(boost::json::value_from(columns));
  boost::json::object now;
  for (const auto& c : columns)
    if (const auto* v = row.if_contains(c)) now[c] = *v;
  tx.exec_params("UPDATE " + table_ +
                     " SET new_row = new_row || $3::jsonb"
                     " WHERE object = $1 AND key = $2 AND state = 'pending' AND new_row IS NOT NULL",
                 object, key, boost::json::serialize(now));
  tx.exec_params("UPDATE " + table_ +
                     " SET changed_columns = ARRAY(SELECT c FROM unnest(changed_columns) AS c"
                     "   WHERE NOT c = ANY(ARRAY(SELECT jsonb_array_elements_text($3::jsonb))))"
                     " WHERE object = $1 AND key = $2 AND state = 'pending' AND op = 'update'",
                 object, key, list);
  tx.exec_params("UPDATE " + table_ +
                     " SET state = 'done', applied_at = clock_timestamp(), last_error = 'superseded by Kizen'"
                     " WHERE object = $1 AND key = $2 AND state = 'pending' AND op = 'update'"
                     "   AND cardinality(changed_columns) = 0",
                 object, key);
}

void pending_columns::settle_all(pqxx::transaction_base& tx, const std::string& object, const std::string& key,
                                 const std::string& reason) const {
  tx.exec_params("UPDATE " + table_ +
                     " SET state = 'done', applied_at = clock_timestamp(), last_error = $3"
                     " WHERE object = $1 AND key = $2 AND state = 'pending'",
                 object, key, reason);
}

}  // namespace ks::pg
