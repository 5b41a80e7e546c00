#include "connectors/postgres/migrator.hpp"

#include "common/log_line.hpp"
#include "connectors/postgres/capture_trigger.hpp"
#include "connectors/postgres/lookup_index.hpp"
#include "connectors/postgres/migration.hpp"
#include "connectors/postgres/sql_quote.hpp"
#include "connectors/postgres/table_inspector.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <map>
#include <optional>
#include <chrono>
#include <pqxx/binarystring>
#include <pqxx/except>
#include <pqxx/nontransaction>
#include <pqxx/result>
#include <pqxx/transaction>
#include <set>
#include <thread>

namespace ks::pg {
namespace {

// Advisory lock key space of kizen-sync ("KS"); the second key is the schema's hash, so
// migrations of different sync schemas do not wait for each other.
constexpr int advisory_lock_class = 0x4b53;

// AFTER ... FOR EACH ROW on INSERT, DELETE and UPDATE (pg_trigger.tgtype bits: ROW 1, INSERT 4,
// DELETE 8, UPDATE 16; BEFORE 2, TRUNCATE 32 and INSTEAD 64 unset).
constexpr int capture_trigger_type = 1 | 4 | 8 | 16;

std::string join(const std::vector<std::string>& items, const std::string& separator) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += separator;
    out += item;
  }
  return out;
}

std::string join_ints(const std::vector<int>& items) {
  std::vector<std::string> text;
  for (int i : items) text.push_back(std::to_string(i));
  return join(text, ", ");
}

std::string trimmed(std::string text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  return text;
}

std::optional<long long> table_oid(pqxx::transaction_base& tx, const std::string& schema, const std::string& table) {
  const auto r = tx.exec_params(
      "SELECT c.oid FROM pg_catalog.pg_class c "
      "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
      "WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p')",
      schema, table);
  if (r.empty()) return std::nullopt;
  return r[0][0].as<long long>();
}

std::optional<long long> capture_function_oid(pqxx::transaction_base& tx, const std::string& schema) {
  const auto r = tx.exec_params(
      "SELECT p.oid FROM pg_catalog.pg_proc p "
      "JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace "
      "WHERE n.nspname = $1 AND p.proname = $2 AND p.pronargs = 0",
      schema, std::string(capture_function_name));
  if (r.empty()) return std::nullopt;
  return r[0][0].as<long long>();
}

bool schema_exists(pqxx::transaction_base& tx, const std::string& schema) {
  return tx.exec_params1("SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1)", schema)[0]
      .as<bool>();
}

bool relation_exists(pqxx::transaction_base& tx, const std::string& schema, const std::string& name) {
  return tx.exec_params1("SELECT pg_catalog.to_regclass($1) IS NOT NULL", qualified_name(schema, name))[0].as<bool>();
}

// A trigger as pg_trigger has it.
struct installed_trigger {
  bool exists = false;
  bool ours = false;     // our function, AFTER ROW INSERT/UPDATE/DELETE, no WHEN, no column list
  bool enabled = false;  // fires in normal sessions (tgenabled 'O' or 'A')
  std::vector<std::string> arguments;
};

installed_trigger read_trigger(pqxx::transaction_base& tx, long long table, const std::string& name,
                               std::optional<long long> function) {
  installed_trigger out;
  const auto r = tx.exec_params(
      "SELECT t.tgtype, t.tgenabled, t.tgfoid, t.tgargs, "
      "       t.tgqual IS NULL AND t.tgattr::text = '' "
      "FROM pg_catalog.pg_trigger t WHERE t.tgrelid = $1 AND t.tgname = $2 AND NOT t.tgisinternal",
      table, name);
  if (r.empty()) return out;
  out.exists = true;
  const auto enabled = r[0][1].as<std::string>();
  out.enabled = enabled == "O" || enabled == "A";
  out.ours = r[0][0].as<int>() == capture_trigger_type && function && r[0][2].as<long long>() == *function &&
             r[0][4].as<bool>();
  // tgargs: each argument followed by a NUL byte.
  const pqxx::binarystring args(r[0][3]);
  std::string current;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const char c = static_cast<char>(args.data()[i]);
    if (c == '\0') {
      out.arguments.push_back(std::move(current));
      current.clear();
    } else {
      current += c;
    }
  }
  return out;
}

std::string create_trigger_sql(const std::string& schema, const capture_trigger& t) {
  std::vector<std::string> literals;
  for (const auto& a : t.arguments()) literals.push_back(quote_literal(a));
  return "CREATE TRIGGER " + quote_identifier(t.trigger_name) + " AFTER INSERT OR UPDATE OR DELETE ON " +
         qualified_name(t.table_schema, t.table) + " FOR EACH ROW EXECUTE FUNCTION " +
         qualified_name(schema, capture_function_name) + "(" + join(literals, ", ") + ")";
}

std::string drop_trigger_sql(const std::string& table_schema, const std::string& table, const std::string& name) {
  return "DROP TRIGGER " + quote_identifier(name) + " ON " + qualified_name(table_schema, table);
}

std::string json_text_array(const std::vector<std::string>& items) {
  boost::json::array a;
  for (const auto& i : items) a.emplace_back(i);
  return boost::json::serialize(a);
}

struct registry_row {
  std::string table_schema;
  std::string table_name;
  std::string trigger_name;
};

std::map<std::string, registry_row> read_registry(pqxx::transaction_base& tx, const std::string& schema) {
  std::map<std::string, registry_row> out;
  if (!relation_exists(tx, schema, "capture_triggers")) return out;
  for (const auto& row : tx.exec("SELECT object, table_schema, table_name, trigger_name FROM " +
                                 qualified_name(schema, "capture_triggers")))
    out[row[0].as<std::string>()] = {row[1].as<std::string>(), row[2].as<std::string>(), row[3].as<std::string>()};
  return out;
}

// Drops `name` from the table if both still exist; true when something was dropped.
bool drop_trigger_if_present(pqxx::transaction_base& tx, const registry_row& where) {
  const auto oid = table_oid(tx, where.table_schema, where.table_name);
  if (!oid) return false;
  if (!read_trigger(tx, *oid, where.trigger_name, std::nullopt).exists) return false;
  tx.exec0(drop_trigger_sql(where.table_schema, where.table_name, where.trigger_name));
  return true;
}

std::vector<capture_trigger> wanted_triggers(const std::string& schema, const std::vector<table_mapping>& objects) {
  std::vector<capture_trigger> out;
  for (const auto& m : objects)
    if (auto t = capture_trigger::for_object(schema, m)) out.push_back(std::move(*t));
  return out;
}

std::set<int> applied_versions(pqxx::transaction_base& tx, const std::string& schema) {
  std::set<int> out;
  if (!relation_exists(tx, schema, "schema_migrations")) return out;
  for (const auto& row : tx.exec("SELECT version FROM " + qualified_name(schema, "schema_migrations")))
    out.insert(row[0].as<int>());
  return out;
}

}  // namespace

std::string migrate_report::summary() const {
  std::string out = schema + ": ";
  if (!changed()) {
    return out + "up to date (" + std::to_string(triggers_unchanged.size()) + " capture trigger" +
           (triggers_unchanged.size() == 1 ? "" : "s") + " unchanged)";
  }
  std::vector<std::string> parts;
  if (!applied.empty()) parts.push_back("applied migrations " + join_ints(applied));
  if (!triggers_installed.empty()) parts.push_back("installed capture triggers for " + join(triggers_installed, ", "));
  if (!triggers_dropped.empty()) parts.push_back("dropped capture triggers of " + join(triggers_dropped, ", "));
  if (!triggers_unchanged.empty())
    parts.push_back(std::to_string(triggers_unchanged.size()) + " capture trigger" +
                    (triggers_unchanged.size() == 1 ? "" : "s") + " unchanged");
  if (!lookup_indexes.empty()) parts.push_back("created lookup indexes " + join(lookup_indexes, ", "));
  return out + join(parts, "; ");
}

migrator::migrator(std::shared_ptr<spdlog::logger> logger) : logger_(std::move(logger)) {}

// One migrate at a time builds indexes: another could take an index still being built
// (invalid until done) for a failed one and drop it. A lock of its own, taken by polling: a
// CREATE INDEX CONCURRENTLY waits for every transaction open when it starts, so a migrate
// blocked in a transaction on the holder's lock would deadlock with it.
void migrator::ensure_lookup_indexes(pqxx::connection& conn, const std::string& schema,
                                     const std::vector<table_mapping>& objects, migrate_report& report) {
  const bool any = std::any_of(objects.begin(), objects.end(), [](const auto& m) { return m.pulls && m.lookup; });
  if (!any) return;
  const std::string name = schema + " lookup indexes";
  for (;;) {
    pqxx::nontransaction tx(conn);
    if (tx.exec_params1("SELECT pg_catalog.pg_try_advisory_lock($1, pg_catalog.hashtext($2))", advisory_lock_class,
                        name)[0]
            .as<bool>())
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  for (const auto& m : objects) ensure_lookup_index_reporting(conn, m, report);
  pqxx::nontransaction(conn).exec_params("SELECT pg_catalog.pg_advisory_unlock($1, pg_catalog.hashtext($2))",
                                         advisory_lock_class, name);
}

void migrator::ensure_lookup_index_reporting(pqxx::connection& conn, const table_mapping& m, migrate_report& report) {
  const auto name = display_table_name(m.table_schema, lookup_index_name(m));
  try {
    {
      pqxx::read_transaction tx(conn);
      const auto state = lookup_index_of(tx, m);
      if (state == lookup_index_state::not_needed || state == lookup_index_state::present) return;
    }
    if (logger_)
      logger_->info(ks::log_line("creating lookup index (CONCURRENTLY: writers go on; minutes on a large table)",
                                 {{"object", m.object}, {"index", name}}));
    if (ensure_lookup_index(conn, m) != lookup_index_change::unchanged) report.lookup_indexes.push_back(name);
  } catch (const pqxx::sql_error& e) {
    report.warnings.push_back("object " + m.object + ": could not create the lookup index " + name + ": " +
                              trimmed(e.what()) + "; as the table's owner run: " + lookup_index_sql(m));
  }
}

ks::result<migrate_report, std::string> migrator::migrate(pqxx::connection& conn, const std::string& schema,
                                                          const std::vector<table_mapping>& objects) {
  if (const auto problem = identifier_problem(schema); !problem.empty())
    return ks::fail("postgres.schema \"" + schema + "\" " + problem);

  migrate_report report;
  report.schema = schema;
  std::string step = "locking the sync schema";
  try {
    pqxx::work tx(conn, "kizen-sync migrate");
    // Held until commit: a concurrent migrate of this schema waits here, then finds the work done.
    tx.exec_params("SELECT pg_catalog.pg_advisory_xact_lock($1, pg_catalog.hashtext($2))", advisory_lock_class, schema);

    step = "creating the sync schema";
    const std::string q = quote_identifier(schema);
    if (!schema_exists(tx, schema)) tx.exec0("CREATE SCHEMA " + q);
    if (!relation_exists(tx, schema, "schema_migrations"))
      tx.exec0("CREATE TABLE " + qualified_name(schema, "schema_migrations") +
               " (version integer PRIMARY KEY, name text NOT NULL,"
               "  applied_at timestamptz NOT NULL DEFAULT now())");

    const auto known = embedded_migrations();
    const auto applied = applied_versions(tx, schema);
    std::vector<int> unknown;
    for (int v : applied)
      if (std::none_of(known.begin(), known.end(), [v](const migration& m) { return m.version == v; }))
        unknown.push_back(v);
    if (!unknown.empty())
      return ks::fail("the sync schema " + schema + " has migrations " + join_ints(unknown) +
                      " that this kizen-sync does not know: it was migrated by a newer version");

    for (const auto& m : known) {
      if (applied.contains(m.version)) continue;
      step = "applying migration " + std::string(m.name);
      tx.exec(render_migration(m.sql, schema));
      tx.exec_params("INSERT INTO " + qualified_name(schema, "schema_migrations") + " (version, name) VALUES ($1, $2)",
                     m.version, std::string(m.name));
      report.applied.push_back(m.version);
      if (logger_)
        logger_->info(ks::log_line("migration applied",
                                   {{"schema", schema}, {"version", m.version}, {"name", std::string(m.name)}}));
    }

    // Every problem of every table first, so the operator fixes them in one go.
    step = "checking the mapped tables";
    const auto wanted = wanted_triggers(schema, objects);
    std::vector<std::string> problems;
    const table_inspector inspector;
    for (const auto& m : objects) {
      if (!m.sends) continue;
      auto found = inspector.inspect(tx, m);
      problems.insert(problems.end(), found.begin(), found.end());
    }
    if (!problems.empty()) return ks::fail(join(problems, "\n"));

    const auto function = capture_function_oid(tx, schema);
    auto registry = read_registry(tx, schema);
    const std::string registry_table = qualified_name(schema, "capture_triggers");
    for (const auto& t : wanted) {
      step =
          "installing the capture trigger of object " + t.object + " on " + display_table_name(t.table_schema, t.table);
      // The object moved to another table (or its trigger got another name): clean up the old one.
      if (const auto old = registry.find(t.object);
          old != registry.end() && (old->second.table_schema != t.table_schema || old->second.table_name != t.table ||
                                    old->second.trigger_name != t.trigger_name))
        drop_trigger_if_present(tx, old->second);

      const auto oid = table_oid(tx, t.table_schema, t.table);
      const auto installed = read_trigger(tx, oid.value(), t.trigger_name, function);
      const bool current =
          installed.exists && installed.ours && installed.enabled && installed.arguments == t.arguments();
      if (!current) {
        if (installed.exists) tx.exec0(drop_trigger_sql(t.table_schema, t.table, t.trigger_name));
        tx.exec0(create_trigger_sql(schema, t));
        report.triggers_installed.push_back(t.object);
        if (logger_)
          logger_->info(ks::log_line("capture trigger installed",
                                     {{"object", t.object},
                                      {"table", display_table_name(t.table_schema, t.table)},
                                      {"trigger", t.trigger_name},
                                      {"captured_columns", boost::json::parse(json_text_array(t.captured_columns))}}));
      } else {
        report.triggers_unchanged.push_back(t.object);
      }
      // The registry row is rewritten only when something differs, so a second run writes nothing.
      tx.exec_params("INSERT INTO " + registry_table +
                         " AS r (object, table_schema, table_name, trigger_name, key_column,"
                         "       entity_id_column, captured_columns)"
                         " VALUES ($1, $2, $3, $4, $5, $6,"
                         "   ARRAY(SELECT e FROM jsonb_array_elements_text($7::jsonb) WITH ORDINALITY AS a(e, n)"
                         "         ORDER BY n))"
                         " ON CONFLICT (object) DO UPDATE SET table_schema = EXCLUDED.table_schema,"
                         "   table_name = EXCLUDED.table_name, trigger_name = EXCLUDED.trigger_name,"
                         "   key_column = EXCLUDED.key_column, entity_id_column = EXCLUDED.entity_id_column,"
                         "   captured_columns = EXCLUDED.captured_columns, installed_at = now()"
                         " WHERE $8 OR (r.table_schema, r.table_name, r.trigger_name, r.key_column,"
                         "              r.entity_id_column, r.captured_columns)"
                         "   IS DISTINCT FROM (EXCLUDED.table_schema, EXCLUDED.table_name, EXCLUDED.trigger_name,"
                         "              EXCLUDED.key_column, EXCLUDED.entity_id_column, EXCLUDED.captured_columns)",
                     t.object, t.table_schema, t.table, t.trigger_name, t.key_column, t.entity_id_column,
                     json_text_array(t.captured_columns), !current);
      registry.erase(t.object);
    }

    // What is left in the registry is no longer captured.
    for (const auto& [object, where] : registry) {
      step = "dropping the capture trigger of object " + object;
      drop_trigger_if_present(tx, where);
      tx.exec_params("DELETE FROM " + registry_table + " WHERE object = $1", object);
      report.triggers_dropped.push_back(object);
      if (logger_)
        logger_->info(ks::log_line("capture trigger dropped",
                                   {{"object", object},
                                    {"table", display_table_name(where.table_schema, where.table_name)},
                                    {"trigger", where.trigger_name}}));
    }

    step = "committing";
    tx.commit();
  } catch (const pqxx::sql_error& e) {
    return ks::fail("migrate " + schema + ": " + step + ": " + trimmed(e.what()));
  }
  ensure_lookup_indexes(conn, schema, objects, report);
  return report;
}

std::vector<std::string> migrator::verify_capture_triggers(pqxx::connection& conn, const std::string& schema,
                                                           const std::vector<table_mapping>& objects) {
  std::vector<std::string> problems;
  const std::string fix = ": run kizen-sync migrate";
  if (const auto problem = identifier_problem(schema); !problem.empty())
    return {"postgres.schema \"" + schema + "\" " + problem};

  pqxx::read_transaction tx(conn, "kizen-sync verify");
  const auto function = capture_function_oid(tx, schema);
  if (!function) return {"the sync schema " + schema + " is not set up" + fix};

  for (const auto& t : wanted_triggers(schema, objects)) {
    const std::string table = display_table_name(t.table_schema, t.table);
    const std::string prefix = "object " + t.object + ": ";
    const auto oid = table_oid(tx, t.table_schema, t.table);
    if (!oid) {
      problems.push_back(prefix + "table " + table + " does not exist");
      continue;
    }
    const auto installed = read_trigger(tx, *oid, t.trigger_name, function);
    if (!installed.exists) {
      problems.push_back(prefix + "table " + table + " has no capture trigger" + fix);
    } else if (!installed.ours) {
      problems.push_back(prefix + "the capture trigger " + quote_identifier(t.trigger_name) + " on " + table +
                         " was altered" + fix);
    } else if (!installed.enabled) {
      problems.push_back(prefix + "the capture trigger on " + table + " is disabled" + fix);
    } else if (installed.arguments != t.arguments()) {
      const std::vector<std::string> args = installed.arguments;
      const std::vector<std::string> captured(args.size() > 3 ? args.begin() + 3 : args.end(), args.end());
      if (captured != t.captured_columns)
        problems.push_back(prefix + "the capture trigger on " + table + " captures (" + join(captured, ", ") +
                           ") but the config maps (" + join(t.captured_columns, ", ") + ")" + fix);
      else
        problems.push_back(prefix + "the capture trigger on " + table +
                           " has other key or entity_id columns than the config" + fix);
    }
  }

  // Triggers migrate installed for objects the config no longer sends to Kizen.
  std::set<std::string> captured_objects;
  for (const auto& m : objects)
    if (m.sends) captured_objects.insert(m.object);
  for (const auto& [object, where] : read_registry(tx, schema)) {
    if (captured_objects.contains(object)) continue;
    const auto oid = table_oid(tx, where.table_schema, where.table_name);
    if (oid && read_trigger(tx, *oid, where.trigger_name, function).exists)
      problems.push_back("object " + object + ": table " + display_table_name(where.table_schema, where.table_name) +
                         " still has a capture trigger but the object is no longer sent to Kizen" + fix);
  }
  return problems;
}

std::vector<int> migrator::pending_migrations(pqxx::connection& conn, const std::string& schema) {
  std::set<int> applied;
  if (identifier_problem(schema).empty()) {
    pqxx::read_transaction tx(conn, "kizen-sync pending migrations");
    applied = applied_versions(tx, schema);
  }
  std::vector<int> out;
  for (const auto& m : embedded_migrations())
    if (!applied.contains(m.version)) out.push_back(m.version);
  return out;
}

}  // namespace ks::pg
