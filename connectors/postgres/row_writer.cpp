#include "connectors/postgres/row_writer.hpp"

#include "connectors/postgres/sql_quote.hpp"

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <pqxx/result>

namespace ks::pg {

namespace {

std::string table_of(const config::object_mapping& m) { return qualified_name(m.table_schema, m.table); }

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

bool row_writer::exists(pqxx::transaction_base& tx, const config::object_mapping& m, const std::string& key) const {
  return !tx.exec_params("SELECT 1 FROM " + table_of(m) + " WHERE " + quote_identifier(m.key) + " = $1", key)
              .empty();
}

std::optional<std::string> row_writer::key_by_entity_column(pqxx::transaction_base& tx,
                                                            const config::object_mapping& m,
                                                            const std::string& entity_id) const {
  if (!m.entity_id_column) return std::nullopt;
  return first_key(tx.exec_params("SELECT " + quote_identifier(m.key) + "::text FROM " + table_of(m) + " WHERE " +
                                      quote_identifier(*m.entity_id_column) + " = $1 LIMIT 1",
                                  entity_id));
}

std::optional<std::string> row_writer::key_by_lookup(pqxx::transaction_base& tx, const config::object_mapping& m,
                                                     const std::string& value) const {
  if (!m.lookup) return std::nullopt;
  return first_key(tx.exec_params("SELECT " + quote_identifier(m.key) + "::text FROM " + table_of(m) + " WHERE " +
                                      quote_identifier(*m.lookup) + " = $1 LIMIT 1",
                                  value));
}

bool row_writer::update(pqxx::transaction_base& tx, const config::object_mapping& m, const std::string& key,
                        const boost::json::object& values, const std::vector<std::string>& columns,
                        const std::string& entity_id, const std::vector<std::string>& unordered) const {
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
    if (std::find(unordered.begin(), unordered.end(), c) != unordered.end()) {
      // A set: its distinct members in sorted order (NULL and {} both give {}).
      const auto set_of = [&](const char* side) {
        return "ARRAY(SELECT DISTINCT x FROM unnest(" + std::string(side) + "." + q + ") AS x ORDER BY 1)";
      };
      assignments += (assignments.empty() ? "" : ", ") + q + " = CASE WHEN " + set_of("t") + " = " + set_of("r") +
                     " THEN t." + q + " ELSE r." + q + " END";
      mine += (mine.empty() ? "" : ", ") + set_of("t");
      theirs += (theirs.empty() ? "" : ", ") + set_of("r");
      continue;
    }
    assignments += (assignments.empty() ? "" : ", ") + q + " = r." + q;
    mine += (mine.empty() ? "" : ", ") + std::string("t.") + q;
    theirs += (theirs.empty() ? "" : ", ") + std::string("r.") + q;
  }
  // ROW(...) keeps the comparison a row comparison even for a single column.
  const auto r = tx.exec_params("UPDATE " + table_of(m) + " AS t SET " + assignments +
                                    " FROM jsonb_populate_record(NULL::" + table_of(m) + ", $1::jsonb) AS r"
                                    " WHERE t." + quote_identifier(m.key) + " = $2 AND ROW(" + mine +
                                    ") IS DISTINCT FROM ROW(" + theirs + ")",
                                boost::json::serialize(record), key);
  return r.affected_rows() > 0;
}

std::vector<std::string> row_writer::differing(pqxx::transaction_base& tx, const config::object_mapping& m,
                                               const boost::json::object& a, const boost::json::object& b,
                                               const std::vector<std::string>& columns,
                                               const std::vector<std::string>& unordered) const {
  std::vector<std::string> out, compared;
  std::string tests;
  for (const auto& c : columns) {
    if (!a.contains(c) || !b.contains(c)) {
      out.push_back(c);
      continue;
    }
    const auto q = quote_identifier(c);
    const bool is_set = std::find(unordered.begin(), unordered.end(), c) != unordered.end();
    const auto side = [&](const char* s) {
      return is_set ? "ARRAY(SELECT DISTINCT x FROM unnest(" + std::string(s) + "." + q + ") AS x ORDER BY 1)"
                    : std::string(s) + "." + q;
    };
    tests += (tests.empty() ? "" : ", ") + side("a") + " IS DISTINCT FROM " + side("b");
    compared.push_back(c);
  }
  if (compared.empty()) return out;
  const auto r = tx.exec_params1("SELECT " + tests + " FROM jsonb_populate_record(NULL::" + table_of(m) +
                                     ", $1::jsonb) AS a, jsonb_populate_record(NULL::" + table_of(m) + ", $2::jsonb) AS b",
                                 boost::json::serialize(a), boost::json::serialize(b));
  for (std::size_t i = 0; i < compared.size(); ++i)
    if (r[static_cast<int>(i)].as<bool>()) out.push_back(compared[i]);
  return out;
}

std::string row_writer::insert(pqxx::transaction_base& tx, const config::object_mapping& m,
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

bool row_writer::remove(pqxx::transaction_base& tx, const config::object_mapping& m, const std::string& key) const {
  return tx.exec_params("DELETE FROM " + table_of(m) + " WHERE " + quote_identifier(m.key) + " = $1", key)
             .affected_rows() > 0;
}

}  // namespace ks::pg
