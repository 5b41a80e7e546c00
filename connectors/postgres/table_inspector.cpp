#include "connectors/postgres/table_inspector.hpp"

#include "connectors/postgres/sql_quote.hpp"

#include <map>
#include <pqxx/result>

namespace ks::pg {
namespace {

bool plain_identifier(const std::string& name) {
  if (name.empty() || !((name[0] >= 'a' && name[0] <= 'z') || name[0] == '_')) return false;
  for (char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return true;
}

std::string display_identifier(const std::string& name) {
  return plain_identifier(name) ? name : quote_identifier(name);
}

struct column_info {
  int attnum = 0;
  std::string type;  // base type name (domains resolved), e.g. "uuid", "text", "integer"
};

}  // namespace

std::string display_table_name(const std::string& schema, const std::string& table) {
  return display_identifier(schema) + "." + display_identifier(table);
}

std::vector<std::string> table_inspector::inspect(pqxx::transaction_base& tx, const table_mapping& m) const {
  std::vector<std::string> problems;
  const std::string table = display_table_name(m.table_schema, m.table);
  auto problem = [&](const std::string& place, const std::string& text) {
    problems.push_back((place.empty() ? m.place : place) + "object " + m.object + ": " + text);
  };

  const auto relation = tx.exec_params(
      "SELECT c.oid, c.relkind FROM pg_catalog.pg_class c "
      "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
      "WHERE n.nspname = $1 AND c.relname = $2",
      m.table_schema, m.table);
  if (relation.empty()) {
    problem(m.place, "table " + table + " does not exist");
    return problems;
  }
  const auto oid = relation[0][0].as<long long>();
  const auto relkind = relation[0][1].as<std::string>();
  if (relkind != "r" && relkind != "p") {
    const std::map<std::string, std::string> kinds{{"v", "a view"},          {"m", "a materialized view"},
                                                   {"f", "a foreign table"}, {"S", "a sequence"},
                                                   {"i", "an index"},        {"c", "a composite type"}};
    const auto kind = kinds.find(relkind);
    problem(m.place, table + " is " + (kind != kinds.end() ? kind->second : "not a table") +
                         ", not a table (the capture trigger needs a table)");
    return problems;
  }

  std::map<std::string, column_info> columns;
  for (const auto& row :
       tx.exec_params("SELECT a.attname, a.attnum, "
                      "       pg_catalog.format_type(CASE WHEN t.typtype = 'd' THEN t.typbasetype "
                      "                                   ELSE a.atttypid END, NULL) "
                      "FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type t ON t.oid = a.atttypid "
                      "WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped",
                      oid))
    columns[row[0].as<std::string>()] = {row[1].as<int>(), row[2].as<std::string>()};

  auto require = [&](const std::string& column, const std::string& role,
                     const std::string& place) -> const column_info* {
    const auto it = columns.find(column);
    if (it != columns.end()) return &it->second;
    problem(place, "table " + table + " has no column " + quote_identifier(column) + " (" + role + ")");
    return nullptr;
  };

  if (const auto* key = require(m.key, "key", m.place)) {
    const bool unique = tx.exec_params1(
                              "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_index i "
                              "  WHERE i.indrelid = $1 AND i.indisunique AND i.indisvalid AND i.indnkeyatts = 1 "
                              "    AND i.indkey[0] = $2 AND i.indpred IS NULL AND i.indexprs IS NULL)",
                              oid, key->attnum)[0]
                            .as<bool>();
    if (!unique)
      problem(m.place, "key column " + quote_identifier(m.key) + " of " + table +
                           " is not unique (it needs a primary key or a unique index or "
                           "constraint on exactly that column)");
  }
  if (m.entity_id_column) {
    if (const auto* eid = require(*m.entity_id_column, "entity_id_column", m.place);
        eid && eid->type != "uuid" && eid->type != "text")
      problem(m.place, "entity_id column " + quote_identifier(*m.entity_id_column) + " of " + table + " has type " +
                           eid->type + "; it must be uuid or text");
  }
  if (m.lookup) require(*m.lookup, "lookup", m.place);
  for (const auto& f : m.fields) require(f.name, f.role, f.place);
  return problems;
}

std::vector<std::string> table_inspector::new_record_problems(pqxx::transaction_base& tx,
                                                              const table_mapping& m) const {
  if (!m.pulls || m.has_key_field || new_key_source(tx, m) != new_row_key::none) return {};
  const auto type = tx.exec_params(
      "SELECT pg_catalog.format_type(a.atttypid, a.atttypmod) FROM pg_catalog.pg_attribute a"
      " JOIN pg_catalog.pg_class c ON c.oid = a.attrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
      " WHERE n.nspname = $1 AND c.relname = $2 AND a.attname = $3 AND NOT a.attisdropped",
      m.table_schema, m.table, m.key);
  if (type.empty()) return {};  // inspect() says the table or column is missing
  return {m.place + "object " + m.object + ": new Kizen records cannot become rows of " +
          display_table_name(m.table_schema, m.table) + ": key column " + quote_identifier(m.key) + " (" +
          type[0][0].as<std::string>() +
          ") has no default and the mapping has no key_field; give the column a default, make it text or uuid "
          "(it then takes the Kizen record id), or configure key_field"};
}

new_row_key table_inspector::new_key_source(pqxx::transaction_base& tx, const table_mapping& m) const {
  const auto r = tx.exec_params(
      "SELECT a.atthasdef OR a.attidentity <> '' OR a.attgenerated <> '',"
      "       pg_catalog.format_type(CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE a.atttypid END, NULL)"
      " FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type t ON t.oid = a.atttypid"
      " JOIN pg_catalog.pg_class c ON c.oid = a.attrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
      " WHERE n.nspname = $1 AND c.relname = $2 AND a.attname = $3 AND a.attnum > 0 AND NOT a.attisdropped",
      m.table_schema, m.table, m.key);
  if (r.empty()) return new_row_key::none;
  if (r[0][0].as<bool>()) return new_row_key::column_default;
  const auto type = r[0][1].as<std::string>();
  if (type == "text" || type == "uuid" || type.starts_with("character")) return new_row_key::entity_id;
  return new_row_key::none;
}

}  // namespace ks::pg
