#include "connectors/postgres/row_writer.hpp"

#include "connectors/postgres/sql_quote.hpp"

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <pqxx/result>

namespace ks::pg {

namespace {

std::string table_of(const table_mapping& m) { return qualified_name(m.table_schema, m.table); }

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// The form of column `q` of row `side` that comparisons use.
std::string compared(const column_kinds& kinds, const std::string& column, const std::string& side) {
  const auto q = quote_identifier(column);
  // A set: its distinct members in sorted order (NULL and {} both give {}).
  if (contains(kinds.sets, column)) return "ARRAY(SELECT DISTINCT x FROM unnest(" + side + "." + q + ") AS x ORDER BY 1)";
  // As text, so a checkbox mapped to a column of another type still compares (never errors).
  if (contains(kinds.flags, column)) return "coalesce(" + side + "." + q + "::text, 'false')";
  return side + "." + q;
}

std::optional<std::string> first_key(const pqxx::result& r) {
  if (r.empty() || r[0][0].is_null()) return std::nullopt;
  return r[0][0].as<std::string>();
}

}  // namespace

row_writer::row_writer(std::string schema) : lock_tag_(std::move(schema) + ".outbox") {}

void row_writer::lock_key(pqxx::transaction_base& tx, const std::string& object, const std::string& key) const {
  tx.exec_params("SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2 || E'\\x1f' || $3))", lock_tag_,
                 object, key);
}

bool row_writer::exists(pqxx::transaction_base& tx, const table_mapping& m, const std::string& key) const {
  return !tx.exec_params("SELECT 1 FROM " + table_of(m) + " WHERE " + quote_identifier(m.key) + " = $1", key)
              .empty();
}

std::optional<std::string> row_writer::key_by_entity_column(pqxx::transaction_base& tx,
                                                            const table_mapping& m,
                                                            const std::string& entity_id) const {
  if (!m.entity_id_column) return std::nullopt;
  return first_key(tx.exec_params("SELECT " + quote_identifier(m.key) + "::text FROM " + table_of(m) + " WHERE " +
                                      quote_identifier(*m.entity_id_column) + " = $1 LIMIT 1",
                                  entity_id));
}

std::optional<std::string> row_writer::key_by_lookup(pqxx::transaction_base& tx, const table_mapping& m,
                                                     const std::string& value) const {
  if (!m.lookup) return std::nullopt;
  return first_key(tx.exec_params("SELECT " + quote_identifier(m.key) + "::text FROM " + table_of(m) + " WHERE " +
                                      quote_identifier(*m.lookup) + " = $1 LIMIT 1",
                                  value));
}

bool row_writer::update(pqxx::transaction_base& tx, const table_mapping& m, const std::string& key,
                        const boost::json::object& values, const std::vector<std::string>& columns,
                        const std::string& entity_id, const column_kinds& kinds) const {
  std::vector<std::string> cols = columns;
  boost::json::object record = values;
  if (m.entity_id_column) {
    cols.push_back(*m.entity_id_column);
    record[*m.entity_id_column] = entity_id;
  }
  if (cols.empty()) return false;
  std::string assignments, mine, theirs;
  for (const auto& c : cols) {
    const auto q = quote_identifier(c);
    const auto t = compared(kinds, c, "t"), r = compared(kinds, c, "r");
    // Equal as compared: the row keeps its own form (its order of a set, its NULL checkbox).
    assignments += (assignments.empty() ? "" : ", ") + q +
                   (t == "t." + q ? " = r." + q : " = CASE WHEN " + t + " = " + r + " THEN t." + q + " ELSE r." + q + " END");
    mine += (mine.empty() ? "" : ", ") + t;
    theirs += (theirs.empty() ? "" : ", ") + r;
  }
  // ROW(...) keeps the comparison a row comparison even for a single column.
  const auto r = tx.exec_params("UPDATE " + table_of(m) + " AS t SET " + assignments +
                                    " FROM jsonb_populate_record(NULL::" + table_of(m) + ", $1::jsonb) AS r"
                                    " WHERE t." + quote_identifier(m.key) + " = $2 AND ROW(" + mine +
                                    ") IS DISTINCT FROM ROW(" + theirs + ")",
                                boost::json::serialize(record), key);
  return r.affected_rows() > 0;
}

std::vector<std::string> row_writer::differing(pqxx::transaction_base& tx, const table_mapping& m,
                                               const boost::json::object& a, const boost::json::object& b,
                                               const std::vector<std::string>& columns,
                                               const column_kinds& kinds) const {
  std::vector<std::string> out, checked;
  std::string tests;
  for (const auto& c : columns) {
    if (!a.contains(c) || !b.contains(c)) {
      out.push_back(c);
      continue;
    }
    tests += (tests.empty() ? "" : ", ") + compared(kinds, c, "a") + " IS DISTINCT FROM " + compared(kinds, c, "b");
    checked.push_back(c);
  }
  if (checked.empty()) return out;
  const auto r = tx.exec_params1("SELECT " + tests + " FROM jsonb_populate_record(NULL::" + table_of(m) +
                                     ", $1::jsonb) AS a, jsonb_populate_record(NULL::" + table_of(m) + ", $2::jsonb) AS b",
                                 boost::json::serialize(a), boost::json::serialize(b));
  for (std::size_t i = 0; i < checked.size(); ++i)
    if (r[static_cast<int>(i)].as<bool>()) out.push_back(checked[i]);
  return out;
}

std::string row_writer::insert(pqxx::transaction_base& tx, const table_mapping& m,
                               const std::optional<std::string>& key, const boost::json::object& values,
                               const std::vector<std::string>& columns, const std::string& entity_id) const {
  std::vector<std::string> cols = columns;
  boost::json::object record = values;
  if (m.entity_id_column) {
    cols.push_back(*m.entity_id_column);
    record[*m.entity_id_column] = entity_id;
  }
  if (key) {
    cols.push_back(m.key);
    record[m.key] = *key;
  }
  std::string names, selected;
  for (const auto& c : cols) {
    names += (names.empty() ? "" : ", ") + quote_identifier(c);
    selected += (selected.empty() ? "" : ", ") + std::string("r.") + quote_identifier(c);
  }
  const auto r = tx.exec_params("INSERT INTO " + table_of(m) + " (" + names + ") SELECT " + selected +
                                    " FROM jsonb_populate_record(NULL::" + table_of(m) + ", $1::jsonb) AS r"
                                    " RETURNING " + quote_identifier(m.key) + "::text",
                                boost::json::serialize(record));
  return r[0][0].as<std::string>();
}

bool row_writer::remove(pqxx::transaction_base& tx, const table_mapping& m, const std::string& key) const {
  return tx.exec_params("DELETE FROM " + table_of(m) + " WHERE " + quote_identifier(m.key) + " = $1", key)
             .affected_rows() > 0;
}

}  // namespace ks::pg
