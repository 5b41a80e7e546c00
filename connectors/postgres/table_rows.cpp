#include "connectors/postgres/table_rows.hpp"

#include "connectors/postgres/capture_trigger.hpp"
#include "connectors/postgres/sql_quote.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>
#include <pqxx/result>

namespace ks::pg {

std::optional<boost::json::object> table_rows::image(pqxx::transaction_base& tx,
                                                     const table_mapping& mapping,
                                                     const std::string& key) const {
  auto columns = captured_columns(mapping);
  if (mapping.entity_id_column) columns.push_back(*mapping.entity_id_column);
  // The key parameter is untyped, so PostgreSQL compares it as the key column's type (index used).
  const auto r = tx.exec_params(
      "SELECT (SELECT jsonb_object_agg(c, CASE jsonb_typeof(j -> c) WHEN 'number' THEN to_jsonb(j ->> c)"
      "               ELSE j -> c END) FROM jsonb_array_elements_text($2::jsonb) AS c)::text"
      " FROM (SELECT to_jsonb(t) AS j FROM " + qualified_name(mapping.table_schema, mapping.table) +
          " t WHERE t." + quote_identifier(mapping.key) + " = $1) s",
      key, boost::json::serialize(boost::json::value_from(columns)));
  if (r.empty() || r[0][0].is_null()) return std::nullopt;
  auto v = boost::json::parse(r[0][0].c_str());
  if (!v.is_object()) return std::nullopt;
  return std::move(v.as_object());
}

bool table_rows::write_entity_id(pqxx::transaction_base& tx, const table_mapping& mapping,
                                 const std::string& key, const std::string& entity_id) const {
  if (!mapping.entity_id_column) return false;
  const auto column = quote_identifier(*mapping.entity_id_column);
  const auto r = tx.exec_params("UPDATE " + qualified_name(mapping.table_schema, mapping.table) +
                                    " SET " + column + " = $2 WHERE " + quote_identifier(mapping.key) +
                                    " = $1 AND " + column + " IS DISTINCT FROM $2",
                                key, entity_id);
  return r.affected_rows() > 0;
}

}  // namespace ks::pg
