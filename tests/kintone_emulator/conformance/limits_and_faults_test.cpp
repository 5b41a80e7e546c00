// The concurrency limit, the daily counters, and every kind of injected fault.
#include <thread>

#include "conformance_fixture.hpp"

namespace kintone_emulator::conformance {
namespace {

class kintone_limits : public kintone_test {
 protected:
  void set_rules(const json::array& rules, std::int64_t seed = 1) {
    ASSERT_EQ(control("PUT", "/__emulator/faults", json::object{{"rules", rules}, {"seed", seed}}).status, 200);
  }
  std::int64_t count() {
    return std::stoll(
        std::string(call("GET", "/k/v1/records.json?app=1&totalCount=true").json().at("totalCount").as_string()));
  }
  json::object add_body(const char* code) {
    return json::object{{"app", 1}, {"record", record_of({{"customer_code", json::string(code)}, {"name", "n"}})}};
  }
};

TEST_F(kintone_limits, requests_past_the_concurrency_limit_get_429_gaia_to04) {
  restart({"--concurrency-limit", "2"});
  set_rules(json::array{json::object{{"kind", "latency"}, {"latency_ms", 5000}, {"path", "/k/v1/records.json"}}});
  int statuses[2] = {0, 0};
  std::thread slow[2];
  for (int i = 0; i < 2; ++i)
    slow[i] = std::thread([&, i] {
      statuses[i] = ks::test::http_call(base_url(), "GET", "/k/v1/records.json?app=1", "",
                                        {{"X-Cybozu-API-Token", customers_full}})
                        .status;
    });
  // Wait (bounded) until both are held by the latency rule.
  for (int i = 0; i < 200 && control("GET", "/__emulator/counters").json().at("concurrency").at("running") != 2; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  const auto refused = call("GET", "/k/v1/record.json?app=1&id=1");
  EXPECT_EQ(refused.status, 429);
  EXPECT_EQ(code_of(refused), "GAIA_TO04");
  EXPECT_EQ(refused.header("x-concurrencylimit-limit"), "2");
  EXPECT_EQ(refused.header("x-concurrencylimit-running"), "2");
  for (auto& t : slow) t.join();
  EXPECT_EQ(statuses[0], 200);
  EXPECT_EQ(statuses[1], 200);
  const auto after = call("GET", "/k/v1/records.json?app=1");
  EXPECT_EQ(after.status, 200);
  EXPECT_EQ(after.header("x-concurrencylimit-running"), "1");
  const auto counters = control("GET", "/__emulator/counters").json().at("concurrency");
  EXPECT_EQ(counters.at("refused"), 1);
  EXPECT_EQ(counters.at("peak"), 2);
}

TEST_F(kintone_limits, the_daily_counter_reports_the_excess_and_keeps_serving) {
  restart({"--daily-limit", "3"});
  control("PUT", "/__emulator/clock", json::object{{"now", "2025-06-01T23:00:00Z"}, {"frozen", true}});
  for (int i = 0; i < 4; ++i) EXPECT_EQ(call("GET", "/k/v1/records.json?app=1").status, 200);
  call("GET", "/k/v1/records.json?app=1", nullptr, {});  // unauthenticated: not counted
  auto app1 = control("GET", "/__emulator/counters").json().at("apps").at("1");
  EXPECT_EQ(app1.at("requests_today"), 4);
  EXPECT_EQ(app1.at("daily_limit"), 3);
  EXPECT_EQ(app1.at("over_limit"), true);
  // 00:00 UTC is 09:00 JST, when Kintone starts a new day.
  control("PUT", "/__emulator/clock", json::object{{"advance_seconds", 3600}});
  call("GET", "/k/v1/records.json?app=1");
  app1 = control("GET", "/__emulator/counters").json().at("apps").at("1");
  EXPECT_EQ(app1.at("requests_today"), 1);
  EXPECT_EQ(app1.at("over_limit"), false);
  EXPECT_EQ(app1.at("day"), "2025-06-02");
}

TEST_F(kintone_limits, error_faults_answer_without_applying) {
  set_rules(json::array{json::object{{"kind", "error"}, {"count", 1}},
                        json::object{{"kind", "error"}, {"status", 500}, {"code", "GAIA_UN01"}, {"count", 1}},
                        json::object{{"kind", "db_lock"}, {"count", 1}},
                        json::object{{"kind", "db_lock"}, {"code", "GAIA_DA02"}, {"count", 1}}});
  const auto gateway = call("POST", "/k/v1/record.json", add_body("A"));
  EXPECT_EQ(gateway.status, 503);
  EXPECT_EQ(gateway.header("content-type"), "text/html");
  const auto coded = call("POST", "/k/v1/record.json", add_body("A"));
  EXPECT_EQ(coded.status, 500);
  EXPECT_EQ(code_of(coded), "GAIA_UN01");
  const auto lock = call("POST", "/k/v1/record.json", add_body("A"));
  EXPECT_EQ(lock.status, 400);
  EXPECT_EQ(code_of(lock), "GAIA_RE18");
  EXPECT_EQ(code_of(call("POST", "/k/v1/record.json", add_body("A"))), "GAIA_DA02");
  EXPECT_EQ(count(), 0);
  EXPECT_EQ(call("POST", "/k/v1/record.json", add_body("A")).status, 200);
  const auto rules = control("GET", "/__emulator/faults").json().at("rules");
  EXPECT_EQ(rules.at(0).at("applied"), 1);
  EXPECT_EQ(rules.at(0).at("count"), 0);
}

TEST_F(kintone_limits, reset_applies_nothing_and_a_dropped_response_commits) {
  set_rules(json::array{
      json::object{{"kind", "reset"}, {"method", "POST"}, {"count", 1}},
      json::object{{"kind", "drop_response"}, {"method", "POST"}, {"path", "/k/v1/record.json"}, {"count", 1}}});
  const ks::test::header_list auth{{"X-Cybozu-API-Token", customers_full}};
  EXPECT_ANY_THROW(ks::test::http_call(base_url(), "POST", "/k/v1/record.json", json::serialize(add_body("A")), auth));
  EXPECT_EQ(count(), 0);
  EXPECT_ANY_THROW(ks::test::http_call(base_url(), "POST", "/k/v1/record.json", json::serialize(add_body("A")), auth));
  EXPECT_EQ(count(), 1);  // the write committed although no answer came
  // A blind retry of the same add now fails on the unique key, as it would against Kintone.
  EXPECT_EQ(code_of(call("POST", "/k/v1/record.json", add_body("A"))), "CB_VA01");
  const auto log = control("GET", "/__emulator/requests").json().at("requests").as_array();
  ASSERT_GE(log.size(), 3u);  // reset, count(), drop, count(), retry
  EXPECT_EQ(log[0].at("fault"), "reset");
  EXPECT_TRUE(log[0].at("status").is_null());  // no answer was sent
  EXPECT_EQ(log[2].at("fault"), "drop_response");
  EXPECT_EQ(log[2].at("status"), 200);  // what it would have answered
}

TEST_F(kintone_limits, probabilistic_faults_repeat_with_the_same_seed) {
  const json::array rules{json::object{{"kind", "error"}, {"probability", 0.5}, {"method", "GET"}}};
  auto run = [&](std::int64_t seed) {
    control("POST", "/__emulator/reset");
    set_rules(rules, seed);
    std::string out;
    for (int i = 0; i < 24; ++i) out += call("GET", "/k/v1/records.json?app=1").status == 200 ? '.' : 'x';
    return out;
  };
  const auto first = run(7);
  EXPECT_NE(first.find('x'), std::string::npos);
  EXPECT_NE(first.find('.'), std::string::npos);
  EXPECT_EQ(run(7), first);
  EXPECT_NE(run(8), first);
  // A POST is not a GET: the rule never fires.
  control("POST", "/__emulator/reset");
  set_rules(rules, 7);
  for (int i = 0; i < 10; ++i)
    EXPECT_EQ(call("POST", "/k/v1/record.json", add_body(("P" + std::to_string(i)).c_str())).status, 200);
}

TEST_F(kintone_limits, latency_applies_only_where_asked) {
  set_rules(json::array{
      json::object{{"kind", "latency"}, {"latency_ms", 3000}, {"path", "/k/v1/record.json"}, {"count", 1}}});
  std::thread slow([&] {
    ks::test::http_call(base_url(), "GET", "/k/v1/record.json?app=1&id=1", "",
                        {{"X-Cybozu-API-Token", customers_full}});
  });
  for (int i = 0; i < 200 && control("GET", "/__emulator/counters").json().at("concurrency").at("running") != 1; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  // While that one waits, others are served.
  EXPECT_EQ(call("GET", "/k/v1/records.json?app=1").header("x-concurrencylimit-running"), "2");
  slow.join();
  // The slow one is logged when it is answered, after the fast one.
  const auto log = control("GET", "/__emulator/requests").json().at("requests");
  EXPECT_EQ(log.at(0).at("endpoint"), "/k/v1/records.json");
  EXPECT_TRUE(log.at(0).at("fault").is_null());
  EXPECT_EQ(log.at(1).at("endpoint"), "/k/v1/record.json");
  EXPECT_EQ(log.at(1).at("fault"), "latency");
}

}  // namespace
}  // namespace kintone_emulator::conformance
