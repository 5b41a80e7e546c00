#include "connectors/postgres/migrator.hpp"
#include "connectors/postgres/capture_trigger.hpp"
#include "connectors/postgres/migration.hpp"
#include "connectors/postgres/row_reader.hpp"
#include "connectors/postgres/sql_quote.hpp"
#include "tests/integration/postgres/pg_test_fixture.hpp"

#include <barrier>

namespace ks::pg {
namespace {

using namespace ks::pg::testing;

std::vector<int> all_versions() {
  std::vector<int> out;
  for (const auto& m : embedded_migrations()) out.push_back(m.version);
  return out;
}

class pg_migrator : public pg_test {
 protected:
  void SetUp() override {
    exec(customers_ddl);
    exec(deals_ddl);
  }

  migrate_report migrate_ok(const std::vector<config::object_mapping>& objects,
                            const std::string& schema = "kizen_sync") {
    auto r = migrator_.migrate(*conn_, schema, tables(objects));
    EXPECT_TRUE(r.has_value()) << (r ? "" : r.error());
    return r ? *r : migrate_report{};
  }

  // OID of the named trigger on a table, or 0.
  long long trigger_oid(const std::string& table, const std::string& trigger) {
    pqxx::nontransaction tx(*conn_);
    const auto r =
        tx.exec_params("SELECT oid FROM pg_trigger WHERE tgrelid = $1::regclass AND tgname = $2", table, trigger);
    return r.empty() ? 0 : r[0][0].as<long long>();
  }

  migrator migrator_{test_logger()};
};

TEST_F(pg_migrator, fresh_database_gets_schema_tables_and_triggers) {
  EXPECT_EQ(migrator_.pending_migrations(*conn_, "kizen_sync"), all_versions());

  const auto report = migrate_ok({contacts_mapping(), deals_mapping()});
  EXPECT_EQ(report.applied, all_versions());
  EXPECT_EQ(report.triggers_installed, (columns{"client_client", "deals"}));
  EXPECT_TRUE(report.triggers_dropped.empty());
  EXPECT_TRUE(report.changed());

  for (const char* table : {"schema_migrations", "outbox", "identity_map", "pull_cursors", "capture_triggers"})
    EXPECT_EQ(scalar(std::string("SELECT count(*) FROM pg_tables WHERE schemaname = 'kizen_sync'"
                                 " AND tablename = '") +
                     table + "'"),
              1)
        << table;
  EXPECT_EQ(scalar("SELECT count(*) FROM kizen_sync.schema_migrations"), static_cast<long long>(all_versions().size()));
  EXPECT_NE(trigger_oid("public.customers", capture_trigger_name("kizen_sync", "client_client")), 0);
  EXPECT_NE(trigger_oid("public.deals", capture_trigger_name("kizen_sync", "deals")), 0);
  EXPECT_TRUE(migrator_.pending_migrations(*conn_, "kizen_sync").empty());
  EXPECT_TRUE(
      migrator_.verify_capture_triggers(*conn_, "kizen_sync", tables({contacts_mapping(), deals_mapping()})).empty());
}

TEST_F(pg_migrator, outbox_indexes_serve_claiming_ordering_and_purging) {
  migrate_ok({contacts_mapping()});
  const auto defs = row("SELECT string_agg(indexdef, E'\\n' ORDER BY indexname) FROM pg_indexes"
                        " WHERE schemaname = 'kizen_sync' AND tablename = 'outbox'")[0]
                        .as<std::string>();
  EXPECT_EQ(defs.find("next_attempt_at"), std::string::npos) << "claims read outbox_keys, not the outbox: " << defs;
  const auto keys = row("SELECT string_agg(indexdef, E'\\n' ORDER BY indexname) FROM pg_indexes"
                        " WHERE schemaname = 'kizen_sync' AND tablename = 'outbox_keys'")[0]
                        .as<std::string>();
  EXPECT_NE(keys.find("(claim_at)"), std::string::npos) << keys;
  EXPECT_NE(defs.find("(object, key, id) WHERE (state <> 'done'::text)"), std::string::npos) << defs;
  EXPECT_NE(defs.find("(applied_at) WHERE (state = 'done'::text)"), std::string::npos) << defs;
}

TEST_F(pg_migrator, pulled_lookup_gets_an_index_the_lookup_query_uses) {
  const auto report = migrate_ok({contacts_mapping(), deals_mapping()});  // only contacts has a lookup
  EXPECT_EQ(report.lookup_indexes, (columns{"public.customers_email_kizen_lookup"}));
  EXPECT_TRUE(report.warnings.empty());
  exec("INSERT INTO public.customers (id, email) SELECT i, 'user' || i || '@example.com' FROM generate_series(1, 5000) i;"
       "ANALYZE public.customers");
  std::string plan;
  for (const auto& r : pqxx::nontransaction(*conn_).exec(
           "EXPLAIN SELECT id FROM public.customers WHERE " + lookup_form_sql(quote_identifier("email") + "::text") +
           " = " + lookup_form_sql("'User7@Example.com '::text")))
    plan += r[0].as<std::string>() + "\n";
  EXPECT_NE(plan.find("customers_email_kizen_lookup"), std::string::npos) << plan;
  EXPECT_EQ(plan.find("Seq Scan"), std::string::npos) << plan;

  // A mapping that only sends has no pull lookups to serve.
  auto sends_only = contacts_mapping();
  sends_only.direction = config::sync_direction::to_kizen;
  exec("DROP INDEX public.customers_email_kizen_lookup");
  EXPECT_TRUE(migrate_ok({sends_only}).lookup_indexes.empty());
}

TEST_F(pg_migrator, second_run_changes_nothing_not_even_trigger_identity) {
  const std::vector<config::object_mapping> objects{contacts_mapping(), deals_mapping()};
  migrate_ok(objects);
  const auto trigger = capture_trigger_name("kizen_sync", "client_client");
  const auto oid_before = trigger_oid("public.customers", trigger);
  const auto function_before = scalar("SELECT 'kizen_sync.capture_change()'::regprocedure::oid::bigint");
  const auto registry_before = row("SELECT string_agg(xmin::text || installed_at::text, ',' ORDER BY object)"
                                   " FROM kizen_sync.capture_triggers")[0]
                                   .as<std::string>();
  const auto migrations_before =
      row("SELECT string_agg(xmin::text, ',' ORDER BY version) FROM kizen_sync.schema_migrations")[0].as<std::string>();

  const auto report = migrate_ok(objects);
  EXPECT_FALSE(report.changed()) << report.summary();
  EXPECT_TRUE(report.applied.empty());
  EXPECT_TRUE(report.triggers_installed.empty());
  EXPECT_EQ(report.triggers_unchanged, (columns{"client_client", "deals"}));
  EXPECT_EQ(report.summary(), "kizen_sync: up to date (2 capture triggers unchanged)");

  EXPECT_EQ(trigger_oid("public.customers", trigger), oid_before);
  EXPECT_EQ(scalar("SELECT 'kizen_sync.capture_change()'::regprocedure::oid::bigint"), function_before);
  EXPECT_EQ(row("SELECT string_agg(xmin::text || installed_at::text, ',' ORDER BY object)"
                " FROM kizen_sync.capture_triggers")[0]
                .as<std::string>(),
            registry_before);
  EXPECT_EQ(row("SELECT string_agg(xmin::text, ',' ORDER BY version)"
                " FROM kizen_sync.schema_migrations")[0]
                .as<std::string>(),
            migrations_before);
}

TEST_F(pg_migrator, concurrent_runs_serialise) {
  // Several rounds on fresh schemas, to give the two runs many chances to overlap.
  for (int round = 0; round < 4; ++round) {
    const std::string schema = "sync_" + std::to_string(round);
    std::barrier start(2);
    std::vector<ks::result<migrate_report, std::string>> results;
    std::mutex results_mutex;
    auto run = [&] {
      pqxx::connection conn(db_.url());
      migrator m;
      start.arrive_and_wait();
      auto r = m.migrate(conn, schema, tables({contacts_mapping(), deals_mapping()}));
      std::lock_guard lock(results_mutex);
      results.push_back(std::move(r));
    };
    std::thread a(run), b(run);
    a.join();
    b.join();

    ASSERT_EQ(results.size(), 2u);
    ASSERT_TRUE(results[0].has_value()) << results[0].error();
    ASSERT_TRUE(results[1].has_value()) << results[1].error();
    // Exactly one of them did the work; the other found it done.
    const bool first_did = !results[0]->applied.empty();
    const auto& did = first_did ? *results[0] : *results[1];
    const auto& found = first_did ? *results[1] : *results[0];
    EXPECT_EQ(did.applied, all_versions());
    EXPECT_EQ(did.triggers_installed, (columns{"client_client", "deals"}));
    EXPECT_FALSE(found.changed()) << found.summary();

    EXPECT_EQ(scalar("SELECT count(*) FROM " + quote_identifier(schema) + ".schema_migrations"),
              static_cast<long long>(all_versions().size()));
    EXPECT_EQ(scalar("SELECT count(*) FROM pg_trigger WHERE tgrelid = 'public.customers'::regclass"
                     " AND tgname = '" +
                     capture_trigger_name(schema, "client_client") + "'"),
              1);
  }
}

TEST_F(pg_migrator, quoted_schema_table_and_column_names) {
  exec("CREATE SCHEMA \"My App\"");
  exec(
      "CREATE TABLE \"My App\".\"Customer Table\" (\"Customer ID\" text PRIMARY KEY,"
      " \"E-Mail\" text, \"First Name\" text, \"select\" text, \"Secret Notes\" text)");
  config::object_mapping m;
  m.object = "client_client";
  m.table_schema = "My App";
  m.table = "Customer Table";
  m.key = "Customer ID";
  m.lookup = "E-Mail";
  m.fields = {field("E-Mail", "email"), field("First Name", "first_name"), field("select", "stage")};

  const std::string schema = "Sync Schema";
  const auto report = migrate_ok({m}, schema);
  EXPECT_EQ(report.applied, all_versions());
  EXPECT_TRUE(migrator_.verify_capture_triggers(*conn_, schema, tables({m})).empty());
  EXPECT_FALSE(migrate_ok({m}, schema).changed());

  exec("INSERT INTO \"My App\".\"Customer Table\" VALUES ('C-1', 'a@x.io', 'Ann', 'lead', 'x')");
  exec("UPDATE \"My App\".\"Customer Table\" SET \"select\" = 'won' WHERE \"Customer ID\" = 'C-1'");
  const auto rows = read_outbox(*conn_, schema);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].key, "C-1");
  EXPECT_EQ(rows[0].op, "insert");
  EXPECT_EQ(rows[0].changed_columns, (columns{"Customer ID", "E-Mail", "First Name", "select"}));
  EXPECT_EQ(rows[0].new_row, boost::json::parse(R"({"Customer ID":"C-1","E-Mail":"a@x.io",
                                                     "First Name":"Ann","select":"lead"})"));
  EXPECT_EQ(rows[1].op, "update");
  EXPECT_EQ(rows[1].changed_columns, (columns{"select"}));
}

TEST_F(pg_migrator, stale_trigger_dropped_when_object_leaves_the_config) {
  migrate_ok({contacts_mapping(), deals_mapping()});
  const auto deals_trigger = capture_trigger_name("kizen_sync", "deals");
  ASSERT_NE(trigger_oid("public.deals", deals_trigger), 0);

  const auto report = migrate_ok({contacts_mapping()});
  EXPECT_EQ(report.triggers_dropped, (columns{"deals"}));
  EXPECT_EQ(report.triggers_unchanged, (columns{"client_client"}));
  EXPECT_EQ(trigger_oid("public.deals", deals_trigger), 0);
  EXPECT_EQ(scalar("SELECT count(*) FROM kizen_sync.capture_triggers WHERE object = 'deals'"), 0);

  exec("INSERT INTO public.deals (code, name) VALUES ('D1', 'Big deal')");
  EXPECT_TRUE(read_outbox(*conn_).empty());
  EXPECT_TRUE(migrator_.verify_capture_triggers(*conn_, "kizen_sync", tables({contacts_mapping()})).empty());
}

TEST_F(pg_migrator, object_turned_from_kizen_loses_its_trigger) {
  migrate_ok({contacts_mapping()});
  auto inbound_only = contacts_mapping();
  inbound_only.direction = config::sync_direction::from_kizen;
  const auto report = migrate_ok({inbound_only});
  EXPECT_EQ(report.triggers_dropped, (columns{"client_client"}));
  exec("INSERT INTO public.customers (id, email) VALUES (1, 'a@x.io')");
  EXPECT_TRUE(read_outbox(*conn_).empty());
}

TEST_F(pg_migrator, object_moved_to_another_table_moves_its_trigger) {
  exec(
      "CREATE TABLE public.people (id integer PRIMARY KEY, email text, first_name text,"
      " score integer, kizen_id uuid)");
  migrate_ok({contacts_mapping()});
  auto moved = contacts_mapping();
  moved.table = "people";
  const auto report = migrate_ok({moved});
  EXPECT_EQ(report.triggers_installed, (columns{"client_client"}));
  const auto trigger = capture_trigger_name("kizen_sync", "client_client");
  EXPECT_EQ(trigger_oid("public.customers", trigger), 0);
  EXPECT_NE(trigger_oid("public.people", trigger), 0);
}

TEST_F(pg_migrator, changed_mapping_refreshes_the_trigger) {
  migrate_ok({contacts_mapping()});
  auto more = contacts_mapping();
  more.fields.push_back(field("secret", "notes"));
  EXPECT_FALSE(migrator_.verify_capture_triggers(*conn_, "kizen_sync", tables({more})).empty());

  const auto report = migrate_ok({more});
  EXPECT_EQ(report.triggers_installed, (columns{"client_client"}));
  EXPECT_TRUE(report.applied.empty());
  EXPECT_TRUE(migrator_.verify_capture_triggers(*conn_, "kizen_sync", tables({more})).empty());
  EXPECT_EQ(row("SELECT captured_columns::text FROM kizen_sync.capture_triggers")[0].as<std::string>(),
            "{id,email,first_name,secret}");

  exec("INSERT INTO public.customers (id, secret) VALUES (1, 's')");
  exec("UPDATE public.customers SET secret = 't' WHERE id = 1");
  const auto rows = read_outbox(*conn_);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].changed_columns, (columns{"secret"}));
}

TEST_F(pg_migrator, verify_detects_drift) {
  migrate_ok({contacts_mapping(), deals_mapping()});
  const std::vector<config::object_mapping> objects{contacts_mapping(), deals_mapping()};
  ASSERT_TRUE(migrator_.verify_capture_triggers(*conn_, "kizen_sync", tables(objects)).empty());

  auto more = contacts_mapping();
  more.fields.push_back(field("secret", "notes"));
  auto problems = migrator_.verify_capture_triggers(*conn_, "kizen_sync", tables({more, deals_mapping()}));
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0],
            "object client_client: the capture trigger on public.customers captures (id, email, "
            "first_name) but the config maps (id, email, first_name, secret): run kizen-sync "
            "migrate");

  auto other_key = deals_mapping();
  other_key.key = "name";
  problems = migrator_.verify_capture_triggers(*conn_, "kizen_sync", tables({contacts_mapping(), other_key}));
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("object deals"), std::string::npos) << problems[0];

  exec("ALTER TABLE public.deals DISABLE TRIGGER \"" + capture_trigger_name("kizen_sync", "deals") + "\"");
  problems = migrator_.verify_capture_triggers(*conn_, "kizen_sync", tables(objects));
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0], "object deals: the capture trigger on public.deals is disabled: run kizen-sync migrate");

  exec("DROP TRIGGER \"" + capture_trigger_name("kizen_sync", "client_client") + "\" ON public.customers");
  problems = migrator_.verify_capture_triggers(*conn_, "kizen_sync", tables(objects));
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_EQ(problems[0],
            "object client_client: table public.customers has no capture trigger: run kizen-sync "
            "migrate");

  // migrate repairs both (and re-enables the disabled trigger).
  const auto report = migrate_ok(objects);
  EXPECT_EQ(report.triggers_installed, (columns{"client_client", "deals"}));
  EXPECT_TRUE(migrator_.verify_capture_triggers(*conn_, "kizen_sync", tables(objects)).empty());

  // A trigger left behind for an object no longer sent to Kizen.
  problems = migrator_.verify_capture_triggers(*conn_, "kizen_sync", tables({contacts_mapping()}));
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0],
            "object deals: table public.deals still has a capture trigger but the object is no "
            "longer sent to Kizen: run kizen-sync migrate");
}

TEST_F(pg_migrator, verify_on_a_database_never_migrated) {
  const auto problems = migrator_.verify_capture_triggers(*conn_, "kizen_sync", tables({contacts_mapping()}));
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0], "the sync schema kizen_sync is not set up: run kizen-sync migrate");
}

TEST_F(pg_migrator, table_problems_fail_the_run_and_change_nothing) {
  auto missing = deals_mapping();
  missing.table = "no_such_table";
  auto bad_column = contacts_mapping();
  bad_column.fields.push_back(field("phone", "mobile_phone"));
  const auto r = migrator_.migrate(*conn_, "kizen_sync", tables({bad_column, missing}));
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().find("object client_client: table public.customers has no column \"phone\""), std::string::npos)
      << r.error();
  EXPECT_NE(r.error().find("object deals: table public.no_such_table does not exist"), std::string::npos) << r.error();
  // One transaction: not even the schema was created.
  EXPECT_EQ(scalar("SELECT count(*) FROM pg_namespace WHERE nspname = 'kizen_sync'"), 0);
  EXPECT_EQ(migrator_.pending_migrations(*conn_, "kizen_sync"), all_versions());
  // The connection is still usable.
  EXPECT_TRUE(migrator_.migrate(*conn_, "kizen_sync", tables({contacts_mapping()})).has_value());
}

TEST_F(pg_migrator, database_migrated_by_a_newer_version_is_refused) {
  migrate_ok({contacts_mapping()});
  exec("INSERT INTO kizen_sync.schema_migrations (version, name) VALUES (999, '999_future')");
  const auto r = migrator_.migrate(*conn_, "kizen_sync", tables({contacts_mapping()}));
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().find("has migrations 999 that this kizen-sync does not know"), std::string::npos) << r.error();
}

TEST_F(pg_migrator, invalid_schema_name_is_refused) {
  const auto r = migrator_.migrate(*conn_, std::string(64, 's'), tables({contacts_mapping()}));
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().find("longer than 63 bytes"), std::string::npos) << r.error();
}

TEST_F(pg_migrator, schema_name_with_dollar_quote_text_still_works) {
  const std::string schema = "odd$ks$name";
  migrate_ok({contacts_mapping()}, schema);
  exec("INSERT INTO public.customers (id, email) VALUES (1, 'a@x.io')");
  EXPECT_EQ(read_outbox(*conn_, schema).size(), 1u);
}

}  // namespace
}  // namespace ks::pg
