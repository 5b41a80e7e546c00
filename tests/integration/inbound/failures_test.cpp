// Records the table cannot hold, and pulls that fail: one record never blocks the others, is never
// passed over (it waits in the inbound failure list, retried with backoff), and shows in status,
// /healthz and /metrics. New Kizen records get a key the way users expect.
#include "tests/integration/inbound/inbound_fixture.hpp"
#include "tests/support/http_call.hpp"

using namespace ks::test;
using namespace ks::test::inbound;
namespace json = boost::json;

namespace {

// customers keyed by a column that has no default: `id_type` decides whether Kizen's record id can
// stand in for a key (text, uuid) or nothing can (integer).
std::string customers_sql(const std::string& id_type) {
  return "CREATE TABLE customers (id " + id_type +
         " PRIMARY KEY, email text UNIQUE, first_name text, kizen_id uuid UNIQUE)";
}

std::string customers_yaml(const std::string& extra = "") {
  return "  - object: client_client\n    table: public.customers\n    key: id\n    entity_id_column: kizen_id\n"
         "    lookup: email\n    direction: both\n    pull_interval: 300ms\n    reconcile_interval: 1h\n" +
         extra +
         "    fields:\n"
         "      - {column: email, field: email}\n"
         "      - {column: first_name, field: first_name}\n";
}

class inbound_failures : public inbound_test {
 protected:
  std::string prepare_customers(const std::string& id_type, const std::string& extra_yaml = "") {
    sql(customers_sql(id_type));
    config_options o;
    o.objects_yaml = customers_yaml(extra_yaml);
    return prepare(o);
  }
  // `kizen-sync status --json`'s entry for client_client.
  json::object status_of_contacts(const std::string& config) {
    const auto r = run_kizen_sync({"status", "-c", config, "--json"}, std::chrono::seconds(60), daemon_env());
    EXPECT_EQ(r.exit_code, 0) << r.err;
    const auto doc = json::parse(r.out);
    for (const auto& o : doc.at("objects").as_array())
      if (o.at("object") == "client_client") return o.as_object();
    ADD_FAILURE() << "no client_client in " << r.out;
    return {};
  }
  // A contact created in Kizen, returning its id.
  std::string contact(const std::string& email, const std::string& first_name) {
    return add("client_client", R"([{"name":"email","value":")" + email + R"("},{"name":"first_name","value":")" +
                                    first_name + R"("}])");
  }
};

}  // namespace

TEST_F(inbound_failures, a_record_the_table_cannot_hold_fails_alone_and_the_edits_after_it_land) {
  const auto config = prepare_customers("integer");
  sql("INSERT INTO customers (id, email, first_name) VALUES (1, 'a@example.com', 'Ann')");
  const auto ann = contact("a@example.com", "Ann");
  engine_harness engine(config);
  auto stats = engine.pull("client_client");
  ASSERT_EQ(scalar("SELECT kizen_id::text FROM customers WHERE id = 1"), ann) << "the row was not linked by lookup";

  // A contact the table cannot hold (an integer key, no default, no key_field), then an edit of
  // one it holds.
  const auto bob = contact("b@example.com", "Bob");
  patch("client_client", ann, R"([{"name":"first_name","value":"Annie"}])");
  stats = engine.pull("client_client");
  EXPECT_EQ(scalar("SELECT first_name FROM customers WHERE id = 1"), "Annie") << "the edit after it did not land";
  EXPECT_EQ(stats.failed, 1);
  EXPECT_EQ(count("SELECT count(*) FROM customers"), 1);

  // Nothing after it is held back either, pull after pull.
  patch("client_client", ann, R"([{"name":"first_name","value":"Anne"}])");
  engine.pull("client_client");
  EXPECT_EQ(scalar("SELECT first_name FROM customers WHERE id = 1"), "Anne");
}

TEST_F(inbound_failures, a_new_record_in_a_text_keyed_table_is_keyed_by_its_kizen_id) {
  const auto config = prepare_customers("text");
  const auto bob = contact("b@example.com", "Bob");
  engine_harness engine(config);
  const auto stats = engine.pull("client_client");
  EXPECT_EQ(stats.failed, 0);
  EXPECT_EQ(scalar("SELECT id FROM customers WHERE email = 'b@example.com'"), bob);
  EXPECT_EQ(scalar("SELECT kizen_id::text FROM customers WHERE email = 'b@example.com'"), bob);
  EXPECT_EQ(entity_of("client_client", bob), bob);  // the identity map links the key to the record
  EXPECT_EQ(pending_changes(), 0) << "the daemon's own insert was queued for Kizen";
}

TEST_F(inbound_failures, a_failed_record_shows_in_status_and_lands_once_the_table_can_hold_it) {
  const auto config = prepare_customers("integer");
  const auto bob = contact("b@example.com", "Bob");
  engine_harness engine(config);
  EXPECT_EQ(engine.pull("client_client").failed, 1);

  auto status = status_of_contacts(config);
  const auto& failures = status.at("inbound_failures").as_object();
  EXPECT_EQ(failures.at("count"), json::value(1));
  EXPECT_NE(std::string(failures.at("last_reason").as_string()).find("has no default"), std::string::npos) << failures;
  ASSERT_EQ(failures.at("records").as_array().size(), 1u);
  EXPECT_EQ(failures.at("records").as_array()[0].at("entity_id"), json::value(bob));
  const auto text = run_kizen_sync({"status", "-c", config}, std::chrono::seconds(60), daemon_env());
  EXPECT_NE(text.out.find("1 Kizen record not applied"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("record " + bob), std::string::npos) << text.out;

  // The operator fixes the table and asks for the retry now rather than at the next backoff.
  sql("CREATE SEQUENCE customers_id_seq; ALTER TABLE customers ALTER COLUMN id SET DEFAULT "
      "nextval('customers_id_seq')");
  const auto replay = run_kizen_sync({"replay", "-c", config, "--inbound", "--all", "--object", "client_client"},
                                     std::chrono::seconds(60), daemon_env());
  ASSERT_EQ(replay.exit_code, 0) << replay.err;
  EXPECT_NE(replay.out.find("due now: 1 record"), std::string::npos) << replay.out;
  engine_harness restarted(config);  // the new default is found when the engine binds the tables
  restarted.pull("client_client");
  EXPECT_EQ(scalar("SELECT first_name FROM customers WHERE kizen_id = '" + bob + "'"), "Bob");
  EXPECT_EQ(count("SELECT count(*) FROM kizen_sync.inbound_failures"), 0);
  EXPECT_EQ(status_of_contacts(config).at("inbound_failures").at("count"), json::value(0));
}

TEST_F(inbound_failures, a_record_behind_a_locked_row_is_retried_not_passed_over) {
  const auto config = prepare_customers("integer");
  sql("INSERT INTO customers (id, email, first_name) VALUES (1, 'a@example.com', 'Ann')");
  const auto ann = contact("a@example.com", "Ann");
  engine_harness engine(config, [](ks::engine::engine_settings& s) {
    s.inbound.records.writes.lock_timeout = std::chrono::milliseconds(200);
    s.inbound.records.writes.failure_retry = {std::chrono::milliseconds(1), std::chrono::milliseconds(1)};
  });
  engine.pull("client_client");
  ASSERT_EQ(scalar("SELECT kizen_id::text FROM customers WHERE id = 1"), ann);

  // A user's transaction holds the row while Kizen's edit is pulled: the write times out.
  pqxx::connection user(db_url());
  pqxx::work user_tx(user);
  user_tx.exec("SELECT 1 FROM customers WHERE id = 1 FOR UPDATE");
  patch("client_client", ann, R"([{"name":"first_name","value":"Annie"}])");
  auto stats = engine.pull("client_client");
  EXPECT_EQ(stats.failed, 1);
  EXPECT_EQ(count("SELECT count(*) FROM kizen_sync.inbound_failures WHERE entity_id = '" + ann + "'"), 1);
  user_tx.commit();

  // The cursor has moved past the edit, yet the failure list brings it back.
  engine.pull("client_client");
  EXPECT_EQ(scalar("SELECT first_name FROM customers WHERE id = 1"), "Annie");
  EXPECT_EQ(count("SELECT count(*) FROM kizen_sync.inbound_failures"), 0);
}

TEST_F(inbound_failures, replay_inbound_skip_drops_a_record_from_the_list) {
  const auto config = prepare_customers("integer");
  const auto bob = contact("b@example.com", "Bob");
  const auto cy = contact("c@example.com", "Cy");
  engine_harness engine(config);
  EXPECT_EQ(engine.pull("client_client").failed, 2);
  const auto drop = run_kizen_sync({"replay", "-c", config, "--inbound", "--skip", "--record", bob},
                                   std::chrono::seconds(60), daemon_env());
  ASSERT_EQ(drop.exit_code, 0) << drop.err;
  EXPECT_NE(drop.out.find("dropped 1 record"), std::string::npos) << drop.out;
  EXPECT_EQ(scalar("SELECT string_agg(entity_id::text, ',') FROM kizen_sync.inbound_failures"), cy);
  const auto help = run_kizen_sync({"replay", "--help"});
  EXPECT_NE(help.out.find("--inbound"), std::string::npos) << help.out;
}

TEST_F(inbound_failures, the_daemon_shows_failing_pulls_and_unapplied_records_in_healthz_metrics_and_status) {
  const auto config = prepare_customers("integer");
  const auto bob = contact("b@example.com", "Bob");
  auto& daemon = start_daemon(config);
  wait_until("the record is in the failure list",
             [&] { return count("SELECT count(*) FROM kizen_sync.inbound_failures") == 1; });
  // Healthy (the pulls work), with the record named in the detail and counted in the metrics.
  wait_until("/healthz and /metrics show the failure", [&] {
    const auto health = ks::test::http_call(daemon.status_url(), "GET", "/healthz");
    const auto metrics = ks::test::http_call(daemon.status_url(), "GET", "/metrics");
    return health.status == 200 && health.body.find("inbound failure list") != std::string::npos &&
           metrics.body.find("kizen_sync_inbound_failures{object=\"client_client\"} 1") != std::string::npos;
  });

  // Kizen answers every request with an error: the pull fails, and says so everywhere.
  kizen().set_faults({.fail_rate = 1.0});
  ASSERT_TRUE(daemon.wait_for_health(503, settle_timeout)) << log_tail();
  const auto health = ks::test::http_call(daemon.status_url(), "GET", "/healthz");
  EXPECT_NE(health.body.find("pull of client_client failing"), std::string::npos) << health.body;
  wait_until("status --json shows the pull error",
             [&] { return !status_of_contacts(config).at("last_pull_error").is_null(); });

  kizen().clear_faults();
  EXPECT_TRUE(daemon.wait_for_health(200, settle_timeout)) << log_tail();
  EXPECT_EQ(daemon.stop(), 0) << log_tail();
  (void)bob;
}
