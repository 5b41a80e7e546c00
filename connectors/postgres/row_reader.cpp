#include "connectors/postgres/row_reader.hpp"

#include "connectors/postgres/capture_trigger.hpp"
#include "connectors/postgres/sql_quote.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>
#include <pqxx/result>

namespace ks::pg {

namespace {

std::string table_of(const table_mapping& m) { return qualified_name(m.table_schema, m.table); }

std::optional<std::string> first_key(const pqxx::result& r) {
  if (r.empty() || r[0][0].is_null()) return std::nullopt;
  return r[0][0].as<std::string>();
}

}  // namespace

namespace {

std::optional<boost::json::object> read_image(pqxx::transaction_base& tx, const table_mapping& mapping,
                                              const std::string& key, bool locked) {
  auto columns = captured_columns(mapping);
  if (mapping.entity_id_column) columns.push_back(*mapping.entity_id_column);
  // The key parameter is untyped, so PostgreSQL compares it as the key column's type (index used).
  const auto r = tx.exec_params(
      "SELECT (SELECT jsonb_object_agg(c, CASE jsonb_typeof(j -> c) WHEN 'number' THEN to_jsonb(j ->> c)"
      "               ELSE j -> c END) FROM jsonb_array_elements_text($2::jsonb) AS c)::text"
      " FROM (SELECT to_jsonb(t) AS j FROM " +
          qualified_name(mapping.table_schema, mapping.table) + " t WHERE t." + quote_identifier(mapping.key) +
          " = $1" + (locked ? " FOR SHARE OF t" : "") + ") s",
      key, boost::json::serialize(boost::json::value_from(columns)));
  if (r.empty() || r[0][0].is_null()) return std::nullopt;
  auto v = boost::json::parse(r[0][0].c_str());
  if (!v.is_object()) return std::nullopt;
  return std::move(v.as_object());
}

}  // namespace

std::optional<boost::json::object> row_reader::image(pqxx::transaction_base& tx, const table_mapping& mapping,
                                                     const std::string& key) const {
  return read_image(tx, mapping, key, false);
}

std::optional<boost::json::object> row_reader::locked_image(pqxx::transaction_base& tx, const table_mapping& mapping,
                                                            const std::string& key) const {
  return read_image(tx, mapping, key, true);
}

bool row_reader::exists(pqxx::transaction_base& tx, const table_mapping& m, const std::string& key) const {
  return !tx.exec_params("SELECT 1 FROM " + table_of(m) + " WHERE " + quote_identifier(m.key) + " = $1", key).empty();
}

bool row_reader::lock(pqxx::transaction_base& tx, const table_mapping& m, const std::string& key) const {
  return !tx.exec_params("SELECT 1 FROM " + table_of(m) + " WHERE " + quote_identifier(m.key) + " = $1 FOR UPDATE", key)
              .empty();
}

std::optional<std::string> row_reader::key_by_entity_column(pqxx::transaction_base& tx, const table_mapping& m,
                                                            const std::string& entity_id) const {
  if (!m.entity_id_column) return std::nullopt;
  return first_key(tx.exec_params("SELECT " + quote_identifier(m.key) + "::text FROM " + table_of(m) + " WHERE " +
                                      quote_identifier(*m.entity_id_column) + " = $1 LIMIT 1",
                                  entity_id));
}

std::string lookup_form_sql(const std::string& expression) {
  return "lower(btrim(regexp_replace(" + expression + ", ' {2,}', ' ', 'g'), ' '))";
}

std::optional<std::string> row_reader::key_by_lookup(pqxx::transaction_base& tx, const table_mapping& m,
                                                     const std::string& value) const {
  if (!m.lookup) return std::nullopt;
  const auto column = quote_identifier(*m.lookup);
  const auto key = quote_identifier(m.key);
  // Matched the way Kizen matches (API-NOTES "Lookup"): case ignored, leading, trailing and
  // repeated spaces collapsed; among such rows the one holding the same value first, then by key.
  // One query that the lookup index (lookup_index.hpp) answers.
  const auto form = column + "::text";
  return first_key(tx.exec_params("SELECT " + key + "::text FROM " + table_of(m) + " WHERE " + lookup_form_sql(form) +
                                      " = " + lookup_form_sql("$1::text") + " ORDER BY (" + form +
                                      " = $1::text) DESC, " + key + " LIMIT 1",
                                  value));
}

}  // namespace ks::pg
