#include "connectors/postgres/change_listener.hpp"
#include "tests/integration/postgres/pg_test_fixture.hpp"

#include <random>

namespace ks::pg {
namespace {

using namespace ks::pg::testing;

std::string unique_name(const std::string& prefix) {
  std::random_device rd;
  return prefix + std::to_string(::getpid()) + "_" + std::to_string(rd() % 1000000);
}

class pg_change_listener : public pg_test {
 protected:
  void notify(const std::string& channel, const std::string& payload) {
    pqxx::work tx(*conn_);
    tx.exec_params("SELECT pg_notify($1, $2)", channel, payload);
    tx.commit();
  }
  // Terminates the server side of every connection with this application_name; returns how many.
  long long terminate(const std::string& application_name) {
    pqxx::nontransaction tx(*conn_);
    return tx
        .exec_params1(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE application_name = $1",
            application_name)[0]
        .as<long long>();
  }
};

TEST_F(pg_change_listener, wakes_on_commit_with_the_payload_in_commit_order) {
  listener_harness h(db_.url(), "ks test channel");
  h.expect_connected();
  notify("ks test channel", "client_client");
  EXPECT_EQ(h.next(), "client_client");
  notify("other channel", "ignored");
  notify("ks test channel", "deals");
  notify("ks test channel", "client_client");
  EXPECT_EQ(h.next(), "deals");
  EXPECT_EQ(h.next(), "client_client");
  EXPECT_TRUE(h.stop());
  EXPECT_EQ(h.listener().connections(), 1u);
}

TEST_F(pg_change_listener, many_notifications_in_one_burst_all_arrive) {
  listener_harness h(db_.url(), "burst");
  h.expect_connected();
  {
    pqxx::work tx(*conn_);
    for (int i = 0; i < 500; ++i) tx.exec_params("SELECT pg_notify('burst', $1)", std::to_string(i));
    tx.commit();
  }
  for (int i = 0; i < 500; ++i) ASSERT_EQ(h.next(), std::to_string(i));
  EXPECT_TRUE(h.stop());
}

TEST_F(pg_change_listener, survives_pg_terminate_backend_and_wakes_again) {
  change_listener_options options;
  options.application_name = unique_name("ks_listener_");
  options.reconnect.initial = std::chrono::milliseconds(10);
  listener_harness h(db_.url(), "ks_changes", options);
  h.expect_connected();
  notify("ks_changes", "before");
  EXPECT_EQ(h.next(), "before");

  ASSERT_EQ(terminate(options.application_name), 1);
  // Reconnected: the caller is told to re-poll what it may have missed...
  h.expect_connected();
  // ...and commits wake it again.
  notify("ks_changes", "after");
  EXPECT_EQ(h.next(), "after");

  ASSERT_EQ(terminate(options.application_name), 1);
  h.expect_connected();
  notify("ks_changes", "again");
  EXPECT_EQ(h.next(), "again");
  EXPECT_TRUE(h.stop());
  EXPECT_EQ(h.listener().connections(), 3u);
}

TEST_F(pg_change_listener, keeps_retrying_until_the_database_accepts_it) {
  // The database does not exist yet: connecting fails until it is created.
  const std::string name = unique_name("ks_late_");
  const std::string url = ks::test::with_database(ks::test::database_url_from_env(), name);
  change_listener_options options;
  options.reconnect.initial = std::chrono::milliseconds(10);
  options.reconnect.max = std::chrono::milliseconds(200);
  listener_harness h(url, "late", options);
  {
    pqxx::nontransaction tx(*conn_);
    tx.exec0("CREATE DATABASE " + tx.quote_name(name));
  }
  h.expect_connected();
  {
    pqxx::connection late(url);
    pqxx::work tx(late);
    tx.exec0("NOTIFY late, 'hello'");
    tx.commit();
  }
  EXPECT_EQ(h.next(), "hello");
  EXPECT_TRUE(h.stop());
  pqxx::nontransaction tx(*conn_);
  tx.exec0("DROP DATABASE " + tx.quote_name(name) + " WITH (FORCE)");
}

TEST_F(pg_change_listener, a_stop_ends_it_while_disconnected_too) {
  // Nothing listens at this socket directory: the listener sits in its backoff.
  change_listener_options options;
  options.reconnect.initial = std::chrono::milliseconds(60'000);
  listener_harness h("postgresql:///x?host=/nonexistent-ks-dir&port=1", "never", options);
  EXPECT_TRUE(h.stop());
  EXPECT_EQ(h.listener().connections(), 0u);
}

TEST_F(pg_change_listener, a_dropped_database_is_reported_but_never_crashes_it) {
  // Terminating with a FATAL and refusing reconnects (database gone): the listener keeps trying
  // and still stops cleanly.
  const std::string name = unique_name("ks_gone_");
  {
    pqxx::nontransaction tx(*conn_);
    tx.exec0("CREATE DATABASE " + tx.quote_name(name));
  }
  const std::string url = ks::test::with_database(ks::test::database_url_from_env(), name);
  change_listener_options options;
  options.reconnect.initial = std::chrono::milliseconds(10);
  options.reconnect.max = std::chrono::milliseconds(50);
  listener_harness h(url, "gone", options);
  h.expect_connected();
  {
    pqxx::nontransaction tx(*conn_);
    tx.exec0("DROP DATABASE " + tx.quote_name(name) + " WITH (FORCE)");
  }
  EXPECT_TRUE(h.stop());
  EXPECT_EQ(h.listener().connections(), 1u);
}

}  // namespace
}  // namespace ks::pg
