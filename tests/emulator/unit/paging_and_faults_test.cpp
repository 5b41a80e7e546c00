#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "src/faults.hpp"
#include "src/options.hpp"
#include "src/pagination.hpp"
#include "src/route.hpp"

namespace kizen_emulator {
namespace {

namespace json = boost::json;

TEST(emulator_pagination, pages_like_drf) {
  auto w = page_for(parse_target("/x?page_size=10&page=3"), 25);
  ASSERT_TRUE(w);
  EXPECT_EQ(w->first, 20u);
  EXPECT_EQ(w->last, 25u);
  w = page_for(parse_target("/x?page_size=1000"), 250);
  EXPECT_EQ(w->page_size, 100u);
  w = page_for(parse_target("/x?page_size=-5"), 250);
  EXPECT_EQ(w->page_size, 50u);                  // invalid sizes fall back to the default
  EXPECT_TRUE(page_for(parse_target("/x"), 0));  // page 1 of nothing is fine
  EXPECT_TRUE(page_for(parse_target("/x?page=last&page_size=10"), 25));
  for (const char* bad : {"/x?page=4&page_size=10", "/x?page=0", "/x?page=two", "/x?page="})
    EXPECT_FALSE(page_for(parse_target(bad), 25)) << bad;
}

TEST(emulator_pagination, links_keep_other_parameters_and_drop_page_for_the_first) {
  const auto t = parse_target("/api/records/deals/search?ordering=-updated&page=2&search=a%20b&page_size=10");
  const auto w = page_for(t, 35);
  const auto env = page_envelope(35, w.value(), "http://h:1", t, json::array{});
  EXPECT_EQ(env.at("next"), "http://h:1/api/records/deals/search?ordering=-updated&search=a%20b&page_size=10&page=3");
  EXPECT_EQ(env.at("previous"), "http://h:1/api/records/deals/search?ordering=-updated&search=a%20b&page_size=10");
  EXPECT_EQ(env.at("count"), 35);
}

TEST(emulator_routes, templates_and_parameters) {
  auto r = match_route(parse_target("/api/records/deals/0b9c7f63-6d6f-4f4b-9d2e-0a0b0c0d0e0f").segments);
  EXPECT_EQ(r.ep, endpoint::record);
  EXPECT_EQ(r.path_template, "/api/records/{object_identifier}/{entity_id}");
  EXPECT_EQ(r.object, "deals");
  r = match_route(parse_target("/api/records/deals/search/").segments);
  EXPECT_EQ(r.ep, endpoint::search);
  r = match_route(parse_target("/api/records/abc/field-values/def").segments);
  EXPECT_EQ(r.ep, endpoint::field_values);
  EXPECT_EQ(r.field, "def");
  r = match_route(parse_target("/api/records/deals/abc/unarchive").segments);
  EXPECT_EQ(r.ep, endpoint::unarchive);
  r = match_route(parse_target("/api/custom-objects/x/fields/settings-search").segments);
  EXPECT_EQ(r.ep, endpoint::object_fields);
  EXPECT_EQ(match_route(parse_target("/api/records/deals/a/b/c").segments).ep, endpoint::none);
}

TEST(emulator_fault_decisions, same_seed_same_decisions) {
  fault_settings s;
  s.fail_rate = 0.3;
  s.reset_rate = 0.2;
  s.drop_response_rate = 0.2;
  fault_injector a(42), b(42), c(43);
  a.configure(s);
  b.configure(s);
  c.configure(s);
  const auto t = std::chrono::steady_clock::now();
  int differences = 0, failures = 0;
  for (int i = 0; i < 200; ++i) {
    const auto x = a.decide(t, i % 2 == 0), y = b.decide(t, i % 2 == 0), z = c.decide(t, i % 2 == 0);
    EXPECT_EQ(x.fail_status, y.fail_status);
    EXPECT_EQ(x.reset, y.reset);
    EXPECT_EQ(x.drop, y.drop);
    differences += x.fail_status != z.fail_status;
    failures += x.fail_status != 0;
    if (x.drop) {
      EXPECT_EQ(i % 2, 0) << "drops only writes";
    }
  }
  EXPECT_GT(differences, 0);
  EXPECT_GT(failures, 30);
  EXPECT_LT(failures, 90);
}

TEST(emulator_fault_decisions, rolling_second_rate_limit_with_retry_after) {
  fault_injector f(1);
  fault_settings s;
  s.rate_limit = 2;
  f.configure(s);
  const auto t0 = std::chrono::steady_clock::time_point{} + std::chrono::hours(1);
  EXPECT_FALSE(f.decide(t0, false).throttled);
  EXPECT_FALSE(f.decide(t0 + std::chrono::milliseconds(100), false).throttled);
  const auto third = f.decide(t0 + std::chrono::milliseconds(200), false);
  EXPECT_TRUE(third.throttled);
  EXPECT_EQ(third.retry_after_s, 1);
  EXPECT_FALSE(f.decide(t0 + std::chrono::milliseconds(1001), false).throttled);  // the first left the window
  EXPECT_TRUE(f.decide(t0 + std::chrono::milliseconds(1050), false).throttled);
}

TEST(emulator_fault_decisions, settings_merge_both_spellings_and_reject_nonsense) {
  fault_settings s;
  auto m = s.merged(json::object{{"fail-rate", 0.25}, {"latency_ms", 10}});
  ASSERT_TRUE(m);
  EXPECT_EQ(m->fail_rate, 0.25);
  EXPECT_EQ(m->latency_ms, 10u);
  EXPECT_FALSE(s.merged(json::object{{"fail_rate", 1.5}}));
  EXPECT_FALSE(s.merged(json::object{{"rate_limit", 1.5}}));
  EXPECT_FALSE(s.merged(json::object{{"reset_rate", "0.1"}}));
  EXPECT_FALSE(s.merged(json::object{{"typo", 1}}));
}

TEST(emulator_command_line, parses_every_flag) {
  auto o = parse_options({"--listen",    "0.0.0.0:0",
                          "--api-key=k", "--business-id",
                          "b",           "--user-id",
                          "u",           "--fail-rate",
                          "0.1",         "--rate-limit",
                          "5",           "--latency-ms",
                          "20",          "--reset-rate",
                          "0.2",         "--drop-response-rate",
                          "0.3",         "--seed",
                          "9",           "--state",
                          "s.json",      "--schema",
                          "x.yaml",      "--tls-cert",
                          "c",           "--tls-key",
                          "k",           "--log-level",
                          "debug",       "--max-logged-requests",
                          "10"},
                         "default.yaml");
  ASSERT_TRUE(o) << o.error();
  EXPECT_EQ(o->host, "0.0.0.0");
  EXPECT_EQ(o->port, 0);
  EXPECT_EQ(o->creds.api_key, "k");
  EXPECT_EQ(o->faults.rate_limit, 5u);
  EXPECT_EQ(o->faults.drop_response_rate, 0.3);
  EXPECT_EQ(o->seed, 9u);
  EXPECT_EQ(o->schema_path, "x.yaml");
  EXPECT_EQ(o->request_log_limit, 10u);
  o = parse_options({"--api-key", "k", "--business-id", "b", "--user-id", "u"}, "default.yaml");
  EXPECT_EQ(o->schema_path, "default.yaml");
  EXPECT_EQ(o->port, 8089);
}

TEST(emulator_command_line, bad_flags_say_what_is_wrong) {
  const std::vector<std::string> creds = {"--api-key", "k", "--business-id", "b", "--user-id", "u"};
  auto with = [&](std::vector<std::string> extra) {
    extra.insert(extra.end(), creds.begin(), creds.end());
    auto o = parse_options(extra, "d");
    return o ? std::string("ok") : o.error();
  };
  EXPECT_NE(with({"--fail-rate", "2"}).find("--fail-rate"), std::string::npos);
  EXPECT_NE(with({"--listen", "localhost"}).find("--listen"), std::string::npos);
  EXPECT_NE(with({"--listen", "h:99999"}).find("port"), std::string::npos);
  EXPECT_NE(with({"--frobnicate"}).find("unknown option"), std::string::npos);
  EXPECT_NE(with({"--tls-cert", "c"}).find("--tls-key"), std::string::npos);
  EXPECT_NE(with({"--seed", "x"}).find("--seed"), std::string::npos);
  auto last = creds;
  last.push_back("--seed");
  EXPECT_NE(parse_options(last, "d").error().find("needs a value"), std::string::npos);
  EXPECT_NE(parse_options({}, "d").error().find("--api-key"), std::string::npos);
  EXPECT_TRUE(parse_options({"--help"}, "d")->help);
}

}  // namespace
}  // namespace kizen_emulator
