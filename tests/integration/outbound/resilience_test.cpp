// Nothing lost, nothing duplicated across daemon crashes (kill -9), PostgreSQL trouble and SIGTERM
// (DESIGN.md invariants 1 and 2; issue 4 "SIGTERM").
#include "tests/integration/outbound/outbound_fixture.hpp"

#include <atomic>
#include <thread>

namespace ks::test::outbound {
namespace {

class resilience_test : public outbound_test {
 protected:
  config_options all_objects() {
    config_options options;
    options.objects_yaml = std::string(companies_yaml) + contacts_yaml + deals_yaml;
    return options;
  }
  void expect_all_in_sync() {
    expect_in_sync("companies", companies_expected_sql);
    expect_in_sync("client_client", contacts_expected_sql);
    expect_in_sync("deals", deals_expected_sql);
    const auto state = kizen().state();
    pqxx::nontransaction tx(db());
    for (const auto& row : tx.exec("SELECT id::text FROM deals"))
      EXPECT_EQ(state.live_where("deals", "external_id", row[0].c_str()).size(), 1u) << "deal " << row[0].c_str();
    for (const auto& row : tx.exec("SELECT email FROM contacts"))
      EXPECT_EQ(state.live_where("client_client", "email", row[0].c_str()).size(), 1u) << row[0].c_str();
  }
  // Inserts rows `from`..`to` of each table in transactions of a few rows each.
  static void insert_rows(pqxx::connection& conn, int from, int to) {
    for (int i = from; i <= to; i += 5) {
      pqxx::work tx(conn);
      for (int k = i; k < i + 5 && k <= to; ++k) {
        const auto n = std::to_string(k);
        tx.exec_params("INSERT INTO companies (id, name, employees) VALUES ($1, $2, $1)", k, "Company " + n);
        tx.exec_params(
            "INSERT INTO contacts (id, email, first_name, company_id, tags) VALUES ($1, $2, $3, $1, '{a,b}')", k,
            "person" + n + "@example.com", "Person " + n);
        tx.exec_params("INSERT INTO deals (id, name, amount, stage) VALUES ($1, $2, $3, 'Open')", k, "Deal " + n,
                       n + ".25");
      }
      tx.commit();
    }
  }
};

TEST_F(resilience_test, kill_9_in_the_middle_of_a_load_then_restart_applies_every_row_once) {
  const auto cfg = prepare(all_objects());
  start_daemon(cfg);
  kizen().set_faults({.latency_ms = 20});  // keeps requests in flight when the kill comes

  std::string load_error;
  std::thread load([&load_error, url = db_url()] {
    try {
      pqxx::connection conn(url);
      insert_rows(conn, 1, 120);
    } catch (const std::exception& e) {
      load_error = e.what();
    }
  });
  const bool progressed = wait_until("some rows to be applied", [&] { return outbox().done >= 60; });
  daemon()->kill_hard();
  load.join();
  ASSERT_EQ(load_error, "");
  ASSERT_TRUE(progressed);
  EXPECT_EQ(daemon()->exit_status(), 128 + 9);
  ASSERT_GT(outbox().pending, 0) << "the kill came too late to interrupt anything";

  start_daemon(cfg);
  ASSERT_TRUE(wait_all_applied());
  expect_all_in_sync();
  expect_clean_stop();
}

TEST_F(resilience_test, postgres_connections_lost_and_refused_then_everything_applies) {
  const auto cfg = prepare(all_objects());
  start_daemon(cfg);
  insert_rows(db(), 1, 10);
  ASSERT_TRUE(wait_all_applied());
  EXPECT_EQ(daemon()->healthz(), 200);

  sql("UPDATE companies SET employees = employees + 1");  // just before the trouble
  pqxx::connection admin(database_url_from_env());
  const auto own_pid = scalar("SELECT pg_backend_pid()");
  {
    pqxx::nontransaction tx(admin);
    tx.exec0("ALTER DATABASE " + tx.quote_name(db_->name()) + " ALLOW_CONNECTIONS false");
    const auto killed =
        tx.exec_params("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> $2::int",
                       db_->name(), own_pid);
    EXPECT_GE(killed.size(), 2u) << "the daemon's sessions";
  }
  // Changes committed while the daemon cannot reach PostgreSQL (this session survived).
  sql("UPDATE contacts SET first_name = first_name || ' (during)'");
  insert_rows(db(), 11, 15);
  const bool unhealthy = daemon()->wait_for_health(503, settle_timeout);
  {
    pqxx::nontransaction tx(admin);
    tx.exec0("ALTER DATABASE " + tx.quote_name(db_->name()) + " ALLOW_CONNECTIONS true");
  }
  EXPECT_TRUE(unhealthy) << "/healthz did not report PostgreSQL missing";
  EXPECT_TRUE(daemon()->wait_for_health(200, settle_timeout)) << "/healthz did not recover";
  sql("UPDATE deals SET stage = 'Won'");  // and after
  insert_rows(db(), 16, 20);

  ASSERT_TRUE(wait_all_applied());
  expect_all_in_sync();
  EXPECT_EQ(daemon()->healthz(), 200);
  expect_clean_stop();
}

TEST_F(resilience_test, sigterm_finishes_in_flight_work_and_exits_0) {
  const auto cfg = prepare(all_objects());
  start_daemon(cfg);
  kizen().set_faults({.latency_ms = 300});
  insert_rows(db(), 1, 60);
  ASSERT_TRUE(wait_until("requests to be in flight", [&] { return outbox().done >= 10; }));
  expect_clean_stop();
  EXPECT_FALSE(daemon()->log_lines_with("outbound sync stopped").empty());
  // What was in flight finished: every request sent got its answer recorded (nothing half done).
  EXPECT_EQ(count("SELECT count(*) FROM kizen_sync.outbox WHERE state = 'pending' AND attempts > 0"), 0);

  kizen().clear_faults();
  start_daemon(cfg);
  ASSERT_TRUE(wait_all_applied());
  expect_all_in_sync();
  expect_clean_stop();
}

// Requests that outlast the grace period: the daemon exits 0 anyway (once it ended in a
// use-after-free, destroying the engine before the suspended request coroutines), the changes stay
// queued, and the next start applies them.
TEST_F(resilience_test, sigterm_releases_work_still_in_flight_after_the_grace_period) {
  auto options = all_objects();
  options.shutdown_grace = "1s";
  options.request_timeout = "30s";
  const auto cfg = prepare(options);
  start_daemon(cfg);
  kizen().set_faults({.latency_ms = 5000});  // requests outlast the grace period
  insert_rows(db(), 1, 10);
  ASSERT_TRUE(wait_until("requests to reach Kizen", [&] { return kizen().requests().total >= 5; }));
  expect_clean_stop();
  EXPECT_FALSE(daemon()->log_lines_with("grace period over; releasing in-flight changes (they stay queued)").empty());
  EXPECT_GT(outbox().pending, 0);

  kizen().clear_faults();
  start_daemon(cfg);
  ASSERT_TRUE(wait_all_applied());
  expect_all_in_sync();
  expect_clean_stop();
}

}  // namespace
}  // namespace ks::test::outbound
