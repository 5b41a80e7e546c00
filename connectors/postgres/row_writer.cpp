#include "connectors/postgres/row_writer.hpp"

#include "connectors/postgres/daemon_write.hpp"
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
  if (contains(kinds.sets, column))
    return "ARRAY(SELECT DISTINCT x FROM unnest(" + side + "." + q + ") AS x ORDER BY 1)";
  // As text, so a checkbox mapped to a column of another type still compares (never errors).
  if (contains(kinds.flags, column)) return "coalesce(" + side + "." + q + "::text, 'false')";
  return side + "." + q;
}

}  // namespace

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
  daemon_row(tx, m.object, key);
  std::string assignments, mine, theirs;
  for (const auto& c : cols) {
    const auto q = quote_identifier(c);
    const auto t = compared(kinds, c, "t"), r = compared(kinds, c, "r");
    // Equal as compared: the row keeps its own form (its order of a set, its NULL checkbox).
    assignments +=
        (assignments.empty() ? "" : ", ") + q +
        (t == "t." + q ? " = r." + q : " = CASE WHEN " + t + " = " + r + " THEN t." + q + " ELSE r." + q + " END");
    mine += (mine.empty() ? "" : ", ") + t;
    theirs += (theirs.empty() ? "" : ", ") + r;
  }
  // ROW(...) keeps the comparison a row comparison even for a single column.
  const auto r = tx.exec_params(
      "UPDATE " + table_of(m) + " AS t SET " + assignments + " FROM jsonb_populate_record(NULL::" + table_of(m) +
          ", $1::jsonb) AS r"
          " WHERE t." +
          quote_identifier(m.key) + " = $2 AND ROW(" + mine + ") IS DISTINCT FROM ROW(" + theirs + ")",
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
  const auto r =
      tx.exec_params1("SELECT " + tests + " FROM jsonb_populate_record(NULL::" + table_of(m) +
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
  daemon_row(tx, m.object, key.value_or(""));
  const auto r = tx.exec_params("INSERT INTO " + table_of(m) + " (" + names + ") SELECT " + selected +
                                    " FROM jsonb_populate_record(NULL::" + table_of(m) +
                                    ", $1::jsonb) AS r"
                                    " RETURNING " +
                                    quote_identifier(m.key) + "::text",
                                boost::json::serialize(record));
  return r[0][0].as<std::string>();
}

bool row_writer::remove(pqxx::transaction_base& tx, const table_mapping& m, const std::string& key) const {
  daemon_row(tx, m.object, key);
  return tx.exec_params("DELETE FROM " + table_of(m) + " WHERE " + quote_identifier(m.key) + " = $1", key)
             .affected_rows() > 0;
}

bool row_writer::write_entity_id(pqxx::transaction_base& tx, const table_mapping& mapping, const std::string& key,
                                 const std::string& entity_id) const {
  if (!mapping.entity_id_column) return false;
  const auto column = quote_identifier(*mapping.entity_id_column);
  daemon_row(tx, mapping.object, key);
  const auto r = tx.exec_params("UPDATE " + qualified_name(mapping.table_schema, mapping.table) + " SET " + column +
                                    " = $2 WHERE " + quote_identifier(mapping.key) + " = $1 AND " + column +
                                    " IS DISTINCT FROM $2",
                                key, entity_id);
  return r.affected_rows() > 0;
}

}  // namespace ks::pg
