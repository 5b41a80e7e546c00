// Kizen misbehaving: lost responses of applied writes, 5xx, 429 and resets (issue 4, third "Done
// when" item), and Kizen outages (DESIGN.md invariant 1). Everything ends applied exactly once.
#include "tests/integration/outbound/outbound_fixture.hpp"

#include <boost/json/parse.hpp>
#include <cstdlib>
#include "tests/support/http_call.hpp"

#include <random>
#include <set>
#include <thread>

namespace ks::test::outbound {
namespace {

namespace json = boost::json;

// Commits `total` row changes (inserts first, then random updates and a few deletes) over
// companies, contacts and deals; every statement changes at least one mapped column, so each is
// exactly one outbox change.
class change_generator {
 public:
  change_generator(pqxx::connection& conn, unsigned seed) : conn_(conn), rng_(seed) {}

  void insert(int companies, int contacts, int deals) {
    pqxx::work tx(conn_);
    for (int i = 1; i <= companies; ++i)
      tx.exec_params("INSERT INTO companies (id, name, domain, employees, industry) VALUES ($1, $2, $3, $4, $5)", i,
                     "Company " + std::to_string(i), "c" + std::to_string(i) + ".example", i * 10,
                     i % 2 ? "Software" : "Retail");
    for (int i = 1; i <= contacts; ++i)
      tx.exec_params(
          "INSERT INTO contacts (id, email, first_name, company_id, tags, stage) VALUES ($1, $2, $3, $4, $5, $6)", i,
          "contact" + std::to_string(i) + "@example.com", "First " + std::to_string(i),
          i % 4 == 0 ? std::optional<int>() : std::optional<int>(1 + i % companies), i % 3 == 0 ? "{vip}" : "{}",
          "Lead");
    for (int i = 1; i <= deals; ++i)
      tx.exec_params("INSERT INTO deals (id, name, amount, stage) VALUES ($1, $2, $3, 'Open')", i,
                     "Deal " + std::to_string(i), std::to_string(i) + ".50");
    tx.commit();
    companies_ = companies;
    contacts_ = contacts;
    deals_ = deals;
    changes_ += companies + contacts + deals;
  }

  // Random single-row updates (and a few deletes) until `total` changes have been committed,
  // `pause` apart (so they arrive while earlier changes of the same keys are being retried).
  void update_until(int total, std::chrono::milliseconds pause = {}) {
    static const char* const stages[] = {"Lead", "Qualified", "Customer", "Churned"};
    static const char* const deal_stages[] = {"Open", "Won", "Lost"};
    static const char* const tags[] = {"{}", "{vip}", "{vip,speaker}", "{speaker,newsletter}", "{newsletter}"};
    while (changes_ < total) {
      ++serial_;
      pqxx::work tx(conn_);
      const auto n = std::to_string(serial_);
      const int pick = static_cast<int>(rng_() % 100);
      pqxx::result r;
      if (pick < 15) {
        r = tx.exec_params("UPDATE companies SET employees = employees + 1, domain = $2 WHERE id = $1",
                           random_key(companies_), "d" + n + ".example");
      } else if (pick < 35) {
        r = tx.exec_params("UPDATE contacts SET first_name = $2 WHERE id = $1", random_key(contacts_), "Name " + n);
      } else if (pick < 45) {
        // The lookup value itself changes (email): the record must follow, not be duplicated.
        r = tx.exec_params("UPDATE contacts SET email = $2 WHERE id = $1", random_key(contacts_),
                           "contact.v" + n + "@example.com");
      } else if (pick < 55) {
        r = tx.exec_params(
            "UPDATE contacts SET tags = $2::text[], stage = $3 WHERE id = $1 AND"
            " (tags IS DISTINCT FROM $2::text[] OR stage IS DISTINCT FROM $3)",
            random_key(contacts_), tags[rng_() % 5], stages[rng_() % 4]);
      } else if (pick < 62) {
        const int c = random_key(companies_);
        r = tx.exec_params("UPDATE contacts SET company_id = $2 WHERE id = $1 AND company_id IS DISTINCT FROM $2",
                           random_key(contacts_), c);
      } else if (pick < 80) {
        r = tx.exec_params("UPDATE deals SET amount = amount + 1, stage = $2 WHERE id = $1", random_key(deals_),
                           deal_stages[rng_() % 3]);
      } else if (pick < 97) {
        r = tx.exec_params("UPDATE deals SET name = $2 WHERE id = $1", random_key(deals_), "Deal v" + n);
      } else if (pick < 99) {
        r = tx.exec_params("DELETE FROM contacts WHERE id = $1", random_key(contacts_));
      } else {
        r = tx.exec_params("DELETE FROM deals WHERE id = $1", random_key(deals_));
      }
      tx.commit();
      changes_ += static_cast<int>(r.affected_rows());
      if (pause.count() > 0) std::this_thread::sleep_for(pause);
    }
  }

  int changes() const { return changes_; }

 private:
  int random_key(int n) { return 1 + static_cast<int>(rng_() % static_cast<unsigned>(n)); }

  pqxx::connection& conn_;
  std::mt19937 rng_;
  int companies_ = 1, contacts_ = 1, deals_ = 1;
  int changes_ = 0;
  int serial_ = 0;
};

class faults_test : public outbound_test {
 protected:
  void expect_all_in_sync() {
    expect_in_sync("companies", companies_expected_sql);
    expect_in_sync("client_client", contacts_expected_sql);
    expect_in_sync("deals", deals_expected_sql);
    // Deals are created through add: exactly one live record carries each key.
    const auto state = kizen().state();
    pqxx::nontransaction tx(db());
    for (const auto& row : tx.exec("SELECT id::text FROM deals"))
      EXPECT_EQ(state.live_where("deals", "external_id", row[0].c_str()).size(), 1u) << "deal " << row[0].c_str();
  }
  config_options all_objects() {
    config_options options;
    options.objects_yaml = std::string(companies_yaml) + contacts_yaml + deals_yaml;
    return options;
  }
};

TEST_F(faults_test, lost_responses_errors_throttling_and_resets_apply_every_change_once) {
  const auto cfg = prepare(all_objects());
  start_daemon(cfg);
  kizen().set_faults({.fail_rate = 0.1, .rate_limit = 40, .reset_rate = 0.05, .drop_response_rate = 0.1, .seed = 7});

  change_generator changes(db(), 42);
  changes.insert(30, 150, 100);
  changes.update_until(2000, std::chrono::milliseconds(8));
  // Each statement changed a mapped column: 2,000 captured changes (the daemon may add its own).
  EXPECT_GE(count("SELECT count(*) FROM kizen_sync.outbox"), 2000);

  ASSERT_TRUE(wait_all_applied());
  const auto log = kizen().requests();
  kizen().clear_faults();
  expect_all_in_sync();

  // The faults really happened, on the paths that matter.
  std::map<std::string, int> faults;
  int lost_adds = 0, lost_upserts = 0, lost_patches = 0;
  for (const auto& r : log.requests) {
    if (!r.fault) continue;
    ++faults[*r.fault];
    const bool lost = (*r.fault == "drop_response" || *r.fault == "reset") && r.applied();
    if (lost && r.path_template == add_path) ++lost_adds;
    if (lost && r.path_template == upsert_path) ++lost_upserts;
    if (lost && r.path_template == record_path && r.method == "PATCH") ++lost_patches;
  }
  EXPECT_GT(faults["fail"], 0);
  EXPECT_GT(faults["throttle"], 0);
  EXPECT_GT(faults["reset"], 0);
  EXPECT_GT(faults["drop_response"], 0);
  EXPECT_GT(lost_adds, 0) << "no add lost its response: the add path's duplicate guard was not exercised";
  EXPECT_GT(lost_upserts, 0);
  EXPECT_GT(lost_patches, 0);
  expect_clean_stop();
}

// Kizen applied a request but its answer was lost; before the retry, the row changed again. The
// retry must account for what the lost request did: no tag left behind, no second record under
// the old lookup value, no record left live for a deleted row (upsert and add paths).
// Kizen's search lags behind its writes. An add whose answer was lost may have created the record;
// the retry looks for it by the match field only once search can show it, and finds it instead of
// adding a second record (the old retry searched within milliseconds and added again).
TEST_F(faults_test, a_lost_add_is_looked_for_only_once_search_can_show_it) {
  auto options = all_objects();
  options.search_visibility_delay = "3s";
  const auto cfg = prepare(options);
  kizen().set_faults({.search_lag_ms = 1500});
  start_daemon(cfg);
  const auto since = kizen().requests().last_seq();
  const auto adds = [&] {
    int n = 0;
    for (const auto& r : kizen().requests(since).requests) n += r.path_template == add_path ? 1 : 0;
    return n;
  };
  kizen().set_faults({.drop_response_rate = 1.0});
  sql("INSERT INTO deals (id, name, amount, stage) VALUES (41, 'Deal 41', '1.00', 'Open')");
  ASSERT_TRUE(wait_until("the add to go out", [&] { return adds() >= 1; }));
  kizen().set_faults({.drop_response_rate = 0.0});
  ASSERT_TRUE(wait_all_applied());
  const auto state = kizen().state();
  EXPECT_EQ(state.live_where("deals", "external_id", "41").size(), 1u);
  EXPECT_EQ(adds(), 1);
  EXPECT_EQ(outbox().dead, 0);
  expect_clean_stop();
}

// Kizen throttling (429 with Retry-After) is backpressure, not failure: with max_attempts 1 any
// counted failure would dead-letter at once, yet every change ends applied, and the pool's pause
// keeps the number of refused requests low.
TEST_F(faults_test, throttling_delays_changes_but_never_dead_letters_them) {
  auto options = all_objects();
  options.retry = "{max_attempts: 1, initial_backoff: 20ms, max_backoff: 500ms}";
  options.max_connections = 4;
  const auto cfg = prepare(options);
  start_daemon(cfg);
  kizen().set_faults({.rate_limit = 5});

  change_generator changes(db(), 3);
  changes.insert(5, 20, 5);
  ASSERT_TRUE(wait_all_applied());
  const auto log = kizen().requests();
  kizen().clear_faults();
  int throttled = 0, answered = 0;
  for (const auto& r : log.requests) {
    if (r.status == 429)
      ++throttled;
    else
      ++answered;
  }
  EXPECT_GT(throttled, 0) << "the rate limit never bit: the test proves nothing";
  EXPECT_LT(throttled, answered) << "each 429 should pause every request, not be hammered on";
  EXPECT_EQ(outbox().dead, 0);
  expect_all_in_sync();
  expect_clean_stop();
}

TEST_F(faults_test, lost_answers_followed_by_more_changes_leave_no_trace) {
  auto options = all_objects();
  options.retry = "{max_attempts: 500, initial_backoff: 20ms, max_backoff: 200ms}";  // outlasts the faults
  const auto cfg = prepare(options);
  start_daemon(cfg);
  sql("INSERT INTO contacts (id, email, tags) VALUES (1, 'tags@example.com', '{a}')");
  ASSERT_TRUE(wait_all_applied());
  const auto since = kizen().requests().last_seq();

  // 1. Every write is applied and its answer lost.
  kizen().set_faults({.drop_response_rate = 1.0});
  sql("UPDATE contacts SET tags = '{a,b}' WHERE id = 1");
  sql("INSERT INTO contacts (id, email, first_name) VALUES (2, 'old@example.com', 'Renamed'),"
      " (3, 'gone@example.com', 'Deleted')");
  sql("INSERT INTO deals (id, name, amount) VALUES (1, 'Deal deleted', 10), (2, 'Deal updated', 20)");
  ASSERT_TRUE(wait_until("a lost answer for each of the five writes", [&] {
    std::set<std::string> lost;
    for (const auto& r : kizen().requests(since).requests) {
      if (r.fault != std::optional<std::string>("drop_response")) continue;
      if (r.path_template == record_path) lost.insert("PATCH contact 1");
      if (r.path_template == upsert_path) lost.insert(std::string(r.body.at("lookup_value").as_string()));
      if (r.path_template == add_path) lost.insert(std::string(r.field_writes().at("name").at("value").as_string()));
    }
    return lost.size() == 5;
  }));
  // 2. Kizen now fails everything (nothing applied) while the rows change again.
  kizen().set_faults({.fail_rate = 1.0, .drop_response_rate = 0.0});
  sql("UPDATE contacts SET tags = '{a}' WHERE id = 1");
  sql("UPDATE contacts SET email = 'new@example.com' WHERE id = 2");
  sql("DELETE FROM contacts WHERE id = 3");
  sql("DELETE FROM deals WHERE id = 1");
  sql("UPDATE deals SET amount = 21 WHERE id = 2");
  // Kizen failing as a whole pauses the outbound: the later changes wait, queued behind the lost
  // ones, and go out merged with them once Kizen answers.
  ASSERT_TRUE(daemon()->wait_for_health(503, settle_timeout)) << "the outbound did not pause";
  // 3. Kizen recovers.
  kizen().clear_faults();
  ASSERT_TRUE(wait_all_applied());

  const auto state = kizen().state();
  const auto* tagged = state.find(entity_of("client_client", "1"));
  ASSERT_NE(tagged, nullptr);
  EXPECT_EQ(tagged->names("tags"), std::vector<std::string>{"a"}) << "the lost request's tag was left behind";
  EXPECT_EQ(state.live_where("client_client", "email", "old@example.com").size(), 0u);
  EXPECT_EQ(state.live_where("client_client", "email", "new@example.com").size(), 1u);
  EXPECT_EQ(state.live_where("client_client", "email", "gone@example.com").size(), 0u)
      << "the record created for a deleted row stayed live";
  EXPECT_EQ(state.live_where("deals", "external_id", "1").size(), 0u)
      << "the deal created for a deleted row stayed live";
  EXPECT_EQ(state.live_where("deals", "external_id", "2").size(), 1u);
  expect_in_sync("client_client", contacts_expected_sql);
  expect_in_sync("deals", deals_expected_sql);
  expect_clean_stop();
}

TEST_F(faults_test, changes_wait_out_a_kizen_outage) {
  const auto cfg = prepare(all_objects());
  start_daemon(cfg);
  change_generator changes(db(), 5);
  changes.insert(10, 20, 10);
  ASSERT_TRUE(wait_all_applied());

  // Kizen answers every request with a 5xx for a while; changes keep coming.
  kizen().set_faults({.fail_rate = 1.0});
  const auto outage_start = kizen().requests().last_seq();
  changes.update_until(changes.changes() + 100);
  ASSERT_TRUE(wait_until("the daemon to meet the outage",
                         [&] { return kizen().requests(outage_start).matching("").size() >= 5; }));
  ASSERT_TRUE(daemon()->wait_for_health(503, settle_timeout)) << "the outbound did not pause";
  EXPECT_EQ(outbox().dead, 0);
  EXPECT_GT(outbox().pending, 0);
  kizen().set_faults({.fail_rate = 0.0});

  ASSERT_TRUE(wait_all_applied());
  EXPECT_GT(count("SELECT max(attempts) FROM kizen_sync.outbox"), 0) << "the outage was not noticed";
  expect_all_in_sync();
  expect_clean_stop();
}

// Kizen as a whole fails for far longer than the retry budget (three attempts, a few hundred ms):
// the outbound pauses and probes instead of spending attempts, /healthz says why, and when Kizen
// answers again everything applies with no dead letter. The old daemon dead-lettered every key
// the outage touched.
TEST_F(faults_test, a_kizen_outage_pauses_the_outbound_instead_of_dead_lettering) {
  auto options = all_objects();
  options.retry = "{max_attempts: 3, initial_backoff: 20ms, max_backoff: 200ms}";
  const auto cfg = prepare(options);
  start_daemon(cfg);
  change_generator changes(db(), 11);
  changes.insert(5, 10, 5);
  ASSERT_TRUE(wait_all_applied());

  kizen().set_faults({.fail_rate = 1.0});
  const auto outage_start = kizen().requests().last_seq();
  changes.update_until(changes.changes() + 40);
  ASSERT_TRUE(daemon()->wait_for_health(503, settle_timeout)) << "/healthz did not report the outage";
  const auto health = http_call(daemon()->status_url(), "GET", "/healthz");
  EXPECT_NE(health.body.find("Kizen unavailable"), std::string::npos) << health.body;
  // `status` (another process) shows the pause too, since when and why.
  ASSERT_TRUE(wait_until("status to show the pause", [&] {
    const auto r = run_kizen_sync({"status", "-c", cfg, "--json"});
    const auto doc = boost::json::parse(r.out);
    return !doc.at("outbound_paused").as_array().empty();
  }));
  {
    const auto r = run_kizen_sync({"status", "-c", cfg});
    EXPECT_NE(r.out.find("outbound PAUSED on "), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("Kizen unavailable: "), std::string::npos) << r.out;
    const auto doc = boost::json::parse(run_kizen_sync({"status", "-c", cfg, "--json"}).out);
    const auto& pause = doc.at("outbound_paused").as_array().at(0).as_object();
    EXPECT_FALSE(pause.at("reason").as_string().empty());
    EXPECT_GE(pause.at("paused_seconds").to_number<double>(), 0.0);
  }
  std::this_thread::sleep_for(std::chrono::seconds(6));  // twenty times the retry budget
  EXPECT_EQ(outbox().dead, 0);
  EXPECT_GT(outbox().pending, 0);
  // Probes, not every key retrying: 40 changes with three attempts each would be 120 requests.
  EXPECT_LT(kizen().requests(outage_start).requests.size(), 40u);
  kizen().clear_faults();

  ASSERT_TRUE(wait_all_applied());
  EXPECT_EQ(outbox().dead, 0);
  EXPECT_TRUE(daemon()->wait_for_health(200, settle_timeout));
  EXPECT_TRUE(wait_until("status to show the pause over", [&] {
    return boost::json::parse(run_kizen_sync({"status", "-c", cfg, "--json"}).out)
        .at("outbound_paused")
        .as_array()
        .empty();
  }));
  expect_all_in_sync();
  expect_clean_stop();
}

// Kizen fails every request for a long outage (KS_OUTAGE_SECONDS, default 20; the case is
// 600) under the product's default retry settings, changes committed all along: no dead letter,
// a probe now and then instead of every key spending its attempts, and once Kizen answers
// everything applies.
TEST_F(faults_test, a_long_kizen_outage_under_the_default_retry_settings_ends_applied_without_dead_letters) {
  const char* env = std::getenv("KS_OUTAGE_SECONDS");
  const int outage_seconds = env ? std::max(1, std::atoi(env)) : 20;
  auto options = all_objects();
  options.retry = "{max_attempts: 10, initial_backoff: 250ms, max_backoff: 5m}";  // config.hpp's defaults
  const auto cfg = prepare(options);
  start_daemon(cfg);
  change_generator changes(db(), 23);
  changes.insert(5, 10, 5);
  ASSERT_TRUE(wait_all_applied());

  kizen().set_faults({.fail_rate = 1.0});
  const auto outage_start = kizen().requests().last_seq();
  const auto ends = std::chrono::steady_clock::now() + std::chrono::seconds(outage_seconds);
  while (std::chrono::steady_clock::now() < ends) {  // a change a second, all through the outage
    changes.update_until(changes.changes() + 1);
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  EXPECT_EQ(outbox().dead, 0) << "the outage dead-lettered changes";
  EXPECT_GT(outbox().pending, 0);
  const auto during = kizen().requests(outage_start).requests.size();
  // Probes back off to one a minute: far fewer requests than changes.
  EXPECT_LT(during, static_cast<std::size_t>(outage_seconds) / 2 + 20) << "the outbound hammered a failing Kizen";
  kizen().clear_faults();

  ASSERT_TRUE(wait_all_applied());
  EXPECT_EQ(outbox().dead, 0);
  EXPECT_TRUE(daemon()->wait_for_health(200, settle_timeout));
  expect_all_in_sync();
  expect_clean_stop();
}

TEST_F(faults_test, changes_wait_while_kizen_is_down_and_restarted) {
  // The emulator keeps its store in a file, so a restart on the same port is the same Kizen.
  const std::string state_file = dir_ + "/kizen-state.json";
  restart_emulator({"--state", state_file}, /*same_port=*/true);
  const auto cfg = prepare(all_objects());
  start_daemon(cfg);
  change_generator changes(db(), 9);
  changes.insert(10, 20, 10);
  ASSERT_TRUE(wait_all_applied());

  ASSERT_EQ(exit_status_of(emulator().stop()), 0);
  changes.update_until(changes.changes() + 100);
  ASSERT_TRUE(wait_until("the daemon to fail against the stopped Kizen",
                         [&] { return count("SELECT count(*) FROM kizen_sync.outbox WHERE attempts > 0") > 0; }));
  EXPECT_EQ(outbox().dead, 0);
  restart_emulator({"--state", state_file}, /*same_port=*/true);

  ASSERT_TRUE(wait_all_applied());
  expect_all_in_sync();
  expect_clean_stop();
}

}  // namespace
}  // namespace ks::test::outbound
