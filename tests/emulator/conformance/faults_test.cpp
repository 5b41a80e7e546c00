// Fault injection: failures, throttling, latency, resets, dropped responses, reproducibility.
#include "conformance_fixture.hpp"

#include <atomic>
#include <thread>

namespace kizen_emulator::conformance {
namespace {

class emulator_faults : public emulator_test {
 protected:
  std::vector<int> statuses(int n) {
    std::vector<int> out;
    for (int i = 0; i < n; ++i) out.push_back(api("POST", "/api/records/companies/search", json::object{}).status);
    return out;
  }
};

TEST_F(emulator_faults, fail_rate_answers_5xx_and_applies_nothing) {
  ASSERT_EQ(control("PUT", "/__emulator/faults", json::object{{"fail_rate", 1.0}}).status, 200);
  std::set<int> seen;
  for (int i = 0; i < 30; ++i) {
    const auto r = api("POST", "/api/records/companies/add",
                       json::object{{"fields", fields_of({{"name", json::string("X" + std::to_string(i))}})}});
    seen.insert(r.status);
  }
  EXPECT_EQ(seen, (std::set<int>{500, 502, 503}));
  EXPECT_TRUE(control("GET", "/__emulator/state").json().at("objects").at("companies").as_array().empty());
  const auto log = control("GET", "/__emulator/requests").json();
  EXPECT_EQ(log.at("requests").at(0).at("fault"), "fail");
}

TEST_F(emulator_faults, fail_rate_flag_and_seed_make_runs_reproducible) {
  restart({"--fail-rate", "0.5", "--seed", "7"});
  const auto first = statuses(24);
  EXPECT_NE(std::count(first.begin(), first.end(), 200), 0);
  EXPECT_NE(std::count(first.begin(), first.end(), 200), 24);
  restart({"--fail-rate", "0.5", "--seed", "7"});
  EXPECT_EQ(statuses(24), first);
  // The same through the control API; another seed gives another sequence.
  control("POST", "/__emulator/reset");
  control("PUT", "/__emulator/faults", json::object{{"fail_rate", 0.5}, {"seed", 7}});
  EXPECT_EQ(statuses(24), first);
  control("PUT", "/__emulator/faults", json::object{{"seed", 8}});
  EXPECT_NE(statuses(24), first);
}

TEST_F(emulator_faults, rate_limit_answers_429_with_retry_after) {
  control("PUT", "/__emulator/faults", json::object{{"rate-limit", 3}});
  bool throttled = false;
  for (int i = 0; i < 12 && !throttled; ++i) {
    const auto r = api("POST", "/api/records/companies/search", json::object{});
    if (r.status != 429) continue;
    throttled = true;
    const auto retry = std::stoi(r.header("retry-after"));
    EXPECT_GE(retry, 1);
    EXPECT_NE(r.json().at("detail").as_string().find("throttled"), std::string_view::npos);
  }
  EXPECT_TRUE(throttled);
  EXPECT_EQ(control("GET", "/__emulator/faults").json().at("rate_limit"), 3);
}

TEST_F(emulator_faults, latency_is_asynchronous_so_other_requests_go_on) {
  control("PUT", "/__emulator/faults", json::object{{"latency_ms", 2000}});
  std::atomic<bool> slow_done{false};
  int slow_status = 0;
  std::thread slow([&] {
    slow_status = ks::test::http_call(base_url(), "POST", "/api/records/companies/search", "{}", auth_headers()).status;
    slow_done = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  // The control surface has no latency and is served while the slow request waits.
  EXPECT_EQ(control("GET", "/__emulator/health").status, 200);
  EXPECT_FALSE(slow_done.load());
  slow.join();
  EXPECT_EQ(slow_status, 200);
}

TEST_F(emulator_faults, reset_cuts_the_response_off) {
  control("PUT", "/__emulator/faults", json::object{{"reset_rate", 1.0}});
  EXPECT_ANY_THROW(ks::test::http_call(base_url(), "POST", "/api/records/companies/search", "{}", auth_headers()));
  const auto log = control("GET", "/__emulator/requests").json();
  EXPECT_EQ(log.at("requests").at(0).at("fault"), "reset");
}

TEST_F(emulator_faults, dropped_response_still_applies_the_write) {
  control("PUT", "/__emulator/faults", json::object{{"drop_response_rate", 1.0}});
  EXPECT_ANY_THROW(ks::test::http_call(base_url(), "POST", "/api/records/companies/add",
                                       R"({"fields":[{"name":"name","value":"Ghost Co"}]})", auth_headers()));
  // Reads are not dropped.
  const auto r = api("POST", "/api/records/companies/search", json::object{});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.json().at("count"), 1);  // the write happened: a naive retry would duplicate it
  const auto log = control("GET", "/__emulator/requests").json();
  EXPECT_EQ(log.at("requests").at(0).at("fault"), "drop_response");
  EXPECT_EQ(log.at("requests").at(0).at("status"), 200);
}

TEST_F(emulator_faults, bad_fault_settings_are_400) {
  EXPECT_EQ(control("PUT", "/__emulator/faults", json::object{{"fail_rate", 2}}).status, 400);
  EXPECT_EQ(control("PUT", "/__emulator/faults", json::object{{"latency_ms", -1}}).status, 400);
  EXPECT_EQ(control("PUT", "/__emulator/faults", json::object{{"explode", true}}).status, 400);
  EXPECT_EQ(control("GET", "/__emulator/faults").json().at("fail_rate"), 0.0);
}

}  // namespace
}  // namespace kizen_emulator::conformance
