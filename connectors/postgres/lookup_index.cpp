#include "connectors/postgres/lookup_index.hpp"

#include "connectors/postgres/row_reader.hpp"
#include "connectors/postgres/sql_quote.hpp"
#include "connectors/postgres/table_inspector.hpp"

#include <pqxx/nontransaction>
#include <pqxx/transaction>

namespace ks::pg {

namespace {

bool needs_index(const table_mapping& m) { return m.pulls && m.lookup.has_value(); }

}  // namespace

std::string lookup_index_sql(const table_mapping& m) {
  return "CREATE INDEX CONCURRENTLY IF NOT EXISTS " + quote_identifier(lookup_index_name(m)) + " ON " +
         qualified_name(m.table_schema, m.table) + " ((" + lookup_form_sql(quote_identifier(*m.lookup) + "::text") +
         "))";
}

std::string lookup_index_name(const table_mapping& m) {
  const std::string suffix = "_kizen_lookup";
  std::string head = m.table + "_" + m.lookup.value_or("");
  if (head.size() + suffix.size() > 63) head.resize(63 - suffix.size());
  return head + suffix;
}

lookup_index_state lookup_index_of(pqxx::transaction_base& tx, const table_mapping& m) {
  if (!needs_index(m)) return lookup_index_state::not_needed;
  const auto r = tx.exec_params(
      "SELECT i.indisvalid FROM pg_catalog.pg_class c"
      " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
      " JOIN pg_catalog.pg_index i ON i.indexrelid = c.oid"
      " WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind = 'i'",
      m.table_schema, lookup_index_name(m));
  if (r.empty()) return lookup_index_state::missing;
  return r[0][0].as<bool>() ? lookup_index_state::present : lookup_index_state::invalid;
}

std::string lookup_index_warning(pqxx::transaction_base& tx, const table_mapping& m) {
  const auto state = lookup_index_of(tx, m);
  if (state == lookup_index_state::not_needed || state == lookup_index_state::present) return "";
  return m.place + "object " + m.object + ": table " + display_table_name(m.table_schema, m.table) +
         (state == lookup_index_state::invalid ? " has an invalid lookup index " : " has no lookup index ") +
         lookup_index_name(m) + " on column " + *m.lookup +
         ": every new Kizen record scans the whole table; run kizen-sync migrate (as the table's owner)";
}

lookup_index_change ensure_lookup_index(pqxx::connection& conn, const table_mapping& m) {
  lookup_index_state state;
  {
    pqxx::read_transaction tx(conn);
    state = lookup_index_of(tx, m);
  }
  if (state == lookup_index_state::not_needed || state == lookup_index_state::present)
    return lookup_index_change::unchanged;
  pqxx::nontransaction tx(conn);  // CONCURRENTLY refuses to run in a transaction block
  if (state == lookup_index_state::invalid)
    tx.exec0("DROP INDEX CONCURRENTLY IF EXISTS " + qualified_name(m.table_schema, lookup_index_name(m)));
  tx.exec0(lookup_index_sql(m));
  // IF NOT EXISTS only notices when another relation holds the name: say so instead.
  if (lookup_index_of(tx, m) != lookup_index_state::present)
    throw pqxx::sql_error("a relation named " + lookup_index_name(m) + " that is not a valid index is in the way");
  return state == lookup_index_state::invalid ? lookup_index_change::rebuilt : lookup_index_change::created;
}

}  // namespace ks::pg
