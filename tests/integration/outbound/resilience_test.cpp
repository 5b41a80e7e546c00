// Nothing lost, nothing duplicated across daemon crashes (kill -9), PostgreSQL trouble and SIGTERM
// (DESIGN.md invariants 1 and 2; issue 4 "SIGTERM").
#include "tests/integration/outbound/outbound_fixture.hpp"
#include "tests/support/http_call.hpp"
#include "tests/support/stalling_proxy.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <cstdio>
#include <cstring>
#include <mutex>

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

// Two daemons on one database; every PostgreSQL session of both is cut (as by a restart) while
// their PATCHes are in flight. A key's claim must survive that: before, it was a session advisory
// lock, gone with the session while the request went on, and the other daemon sent the same key
// again at once, two requests for one record in flight together (the older could land last).
TEST_F(resilience_test, sessions_cut_under_requests_in_flight_with_a_second_daemon_never_send_a_key_twice_at_once) {
  constexpr int latency_ms = 3000;
  auto options = all_objects();
  options.request_timeout = "5s";
  options.key_lease = "10s";
  const auto cfg = prepare(options);
  start_daemon(cfg);
  daemon_options run;
  run.env = daemon_env();
  daemon_process second(cfg, run);
  insert_rows(db(), 1, 5);
  ASSERT_TRUE(wait_all_applied());

  kizen().set_faults({.latency_ms = latency_ms});
  const auto mark = kizen().requests().total;
  sql("UPDATE contacts SET first_name = first_name || ' (edited)'");
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));  // claimed and sent, not yet answered
  {
    pqxx::connection admin(database_url_from_env());
    pqxx::nontransaction tx(admin);
    const auto own_pid = scalar("SELECT pg_backend_pid()");
    const auto killed =
        tx.exec_params("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> $2::int",
                       db_->name(), own_pid);
    EXPECT_GE(killed.size(), 4u) << "both daemons' sessions";
  }
  ASSERT_TRUE(wait_all_applied());
  kizen().clear_faults();
  expect_all_in_sync();

  // Per record, each PATCH was answered before the next one for it arrived: the emulator logs a
  // request when it handles it, after the latency, so two at once are logged less than it apart.
  const auto time_of = [](const std::string& at) {  // 2026-12-03T20:14:12.400Z
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0, ms = 0;
    EXPECT_EQ(std::sscanf(at.c_str(), "%d-%d-%dT%d:%d:%d.%dZ", &y, &mo, &d, &h, &mi, &sec, &ms), 7) << at;
    const std::chrono::sys_days day{std::chrono::year(y) / mo / d};
    return day + std::chrono::hours(h) + std::chrono::minutes(mi) + std::chrono::seconds(sec) +
           std::chrono::milliseconds(ms);
  };
  std::map<std::string, std::vector<std::chrono::sys_time<std::chrono::milliseconds>>> patches;
  for (const auto& r : kizen().requests().requests)
    if (r.seq > mark && r.method == "PATCH" && r.entity_id()) patches[*r.entity_id()].push_back(time_of(r.at));
  EXPECT_GE(patches.size(), 5u) << "every edited contact reached Kizen";
  for (const auto& [entity, at] : patches)
    for (std::size_t i = 1; i < at.size(); ++i)
      EXPECT_GE(at[i] - at[i - 1], std::chrono::milliseconds(latency_ms - 300))
          << "two PATCHes of " << entity << " were in flight together";
  EXPECT_EQ(second.stop(), 0) << second.log();
  expect_clean_stop();
}

// systemd's notify socket, as a test owns it: every datagram the daemon sends, with when.
class notify_socket {
 public:
  explicit notify_socket(const std::string& path) : path_(path) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
      throw std::runtime_error("cannot bind " + path);
    reader_ = std::thread([this] {
      char buf[4096];
      while (!stop_) {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, 50) <= 0) continue;
        const auto n = ::recv(fd_, buf, sizeof buf, 0);
        if (n <= 0) continue;
        std::lock_guard lock(mutex_);
        seen_.emplace_back(std::chrono::steady_clock::now(), std::string(buf, static_cast<std::size_t>(n)));
      }
    });
  }
  ~notify_socket() {
    stop_ = true;
    reader_.join();
    ::close(fd_);
    ::unlink(path_.c_str());
  }
  // Times of the WATCHDOG=1 pings in [from, to].
  std::vector<std::chrono::steady_clock::time_point> pings(std::chrono::steady_clock::time_point from,
                                                           std::chrono::steady_clock::time_point to) {
    std::lock_guard lock(mutex_);
    std::vector<std::chrono::steady_clock::time_point> out;
    for (const auto& [at, text] : seen_)
      if (at >= from && at <= to && text.find("WATCHDOG=1") != std::string::npos) out.push_back(at);
    return out;
  }

 private:
  std::string path_;
  int fd_ = -1;
  std::atomic<bool> stop_{false};
  std::thread reader_;
  std::mutex mutex_;
  std::vector<std::pair<std::chrono::steady_clock::time_point, std::string>> seen_;
};

// The longest gap between pings, counting from `from` and up to `to`.
std::chrono::milliseconds longest_gap(const std::vector<std::chrono::steady_clock::time_point>& pings,
                                      std::chrono::steady_clock::time_point from,
                                      std::chrono::steady_clock::time_point to) {
  std::chrono::milliseconds gap{0};
  auto last = from;
  for (const auto& p : pings) {
    gap = std::max(gap, std::chrono::duration_cast<std::chrono::milliseconds>(p - last));
    last = p;
  }
  return std::max(gap, std::chrono::duration_cast<std::chrono::milliseconds>(to - last));
}

// PostgreSQL stops answering (the proxy holds every byte; no connection closes): the claim that
// hangs on it is cut at its deadline, /healthz says why, the watchdog stops while the claim loop
// makes no progress, and once PostgreSQL answers again everything applies. The old daemon hung
// in the claim for good, with /healthz 200 and the watchdog fed.
TEST_F(resilience_test, a_postgres_that_stops_answering_turns_healthz_red_and_starves_the_watchdog) {
  const auto socket = stalling_proxy::server_socket(db_url());
  if (socket.empty()) GTEST_SKIP() << "the server has no Unix socket to put the proxy in front of";
  stalling_proxy proxy(socket);
  auto options = all_objects();
  options.postgres_url = "postgresql://" + scalar("SELECT current_user") +
                         "@127.0.0.1:" + std::to_string(proxy.port()) + "/" + db_->name();
  options.statement_timeout = "1s";  // claims are cut after 2 s
  options.poll_interval = "300ms";
  const auto cfg = prepare(options);
  notify_socket notify(dir_ + "/notify.sock");
  daemon_options run;
  run.env = daemon_env();
  run.env.emplace_back("NOTIFY_SOCKET", dir_ + "/notify.sock");
  run.env.emplace_back("WATCHDOG_USEC", "400000");  // a ping every 200 ms
  daemon_process daemon(cfg, run);
  insert_rows(db(), 1, 5);
  ASSERT_TRUE(wait_all_applied());

  const auto stalled_at = std::chrono::steady_clock::now();
  proxy.stall();
  insert_rows(db(), 6, 10);  // straight to PostgreSQL: committed, queued, not claimable meanwhile
  std::string detail;
  const bool red = wait_until("/healthz to report the stalled claim", [&] {
    const auto r = http_call(daemon.status_url(), "GET", "/healthz");
    detail = r.body;
    return r.status == 503;
  });
  EXPECT_TRUE(red) << "the claim hung with /healthz green";
  EXPECT_NE(detail.find("claim"), std::string::npos) << detail;
  std::this_thread::sleep_for(std::chrono::seconds(6));  // within the reconnect's connect_timeout
  const auto resumed_at = std::chrono::steady_clock::now();
  proxy.resume();
  const auto gap = longest_gap(notify.pings(stalled_at, resumed_at), stalled_at, resumed_at);
  EXPECT_GT(gap, std::chrono::milliseconds(1500)) << "the watchdog was fed while the claim loop was stuck";
  EXPECT_FALSE(notify.pings(stalled_at - std::chrono::seconds(2), stalled_at).empty()) << "no pings before";

  ASSERT_TRUE(wait_all_applied());
  EXPECT_TRUE(daemon.wait_for_health(200, settle_timeout)) << "/healthz did not recover";
  std::this_thread::sleep_for(std::chrono::seconds(1));
  const auto now = std::chrono::steady_clock::now();
  EXPECT_GE(notify.pings(now - std::chrono::seconds(1), now).size(), 2u) << "the watchdog was not fed again";
  expect_all_in_sync();
  EXPECT_EQ(daemon.stop(), 0) << daemon.log();
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
  options.request_timeout = "8s";
  options.key_lease = "16s";  // the keys abandoned in flight wait out their leases after the restart
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
