// Cursor lifecycle on a movable clock, the daily counter, and reproducible fault decisions.
#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "src/cursors.hpp"
#include "src/faults.hpp"
#include "src/limits.hpp"
#include "src/time_format.hpp"

namespace kintone_emulator {
namespace {

namespace json = boost::json;

json::array numbers(int n) {
  json::array a;
  for (int i = 0; i < n; ++i) a.push_back(i);
  return a;
}

TEST(kintone_cursors, pages_through_then_deletes_itself) {
  cursor_registry reg;
  const auto id = reg.create(1, numbers(5), 2, 0);
  ASSERT_TRUE(id);
  auto p1 = reg.read(*id, 1);
  ASSERT_TRUE(p1);
  EXPECT_EQ(p1->records, (json::array{0, 1}));
  EXPECT_TRUE(p1->next);
  EXPECT_EQ(reg.read(*id, 2)->records, (json::array{2, 3}));
  auto last = reg.read(*id, 3);
  EXPECT_EQ(last->records, (json::array{4}));
  EXPECT_FALSE(last->next);
  EXPECT_FALSE(reg.read(*id, 4));  // deleted after its last page
  EXPECT_EQ(reg.live(4), 0u);
}

TEST(kintone_cursors, an_empty_result_is_one_empty_last_page) {
  cursor_registry reg;
  const auto id = reg.create(1, {}, 100, 0);
  auto page = reg.read(*id, 0);
  ASSERT_TRUE(page);
  EXPECT_TRUE(page->records.empty());
  EXPECT_FALSE(page->next);
}

TEST(kintone_cursors, expire_ten_minutes_after_creation_or_the_last_read) {
  cursor_registry reg;
  constexpr std::int64_t minute = 60'000;
  const auto idle = reg.create(1, numbers(3), 1, 0);
  const auto read = reg.create(1, numbers(3), 1, 0);
  EXPECT_TRUE(reg.read(*read, 9 * minute));  // extends it to 19 minutes
  EXPECT_TRUE(reg.app_of(*idle, 10 * minute - 1));
  EXPECT_FALSE(reg.app_of(*idle, 10 * minute));
  EXPECT_TRUE(reg.read(*read, 19 * minute - 1));
  EXPECT_FALSE(reg.read(*read, 29 * minute));
}

TEST(kintone_cursors, at_most_ten_live_cursors_and_expired_ones_free_their_place) {
  cursor_registry reg;
  std::vector<std::string> ids;
  for (int i = 0; i < 10; ++i) ids.push_back(*reg.create(1, numbers(1), 1, i));
  EXPECT_FALSE(reg.create(1, numbers(1), 1, 100));
  EXPECT_TRUE(reg.remove(ids[0], 100));
  EXPECT_FALSE(reg.remove(ids[0], 100));
  EXPECT_TRUE(reg.create(1, numbers(1), 1, 100));
  EXPECT_FALSE(reg.create(1, numbers(1), 1, 100));
  EXPECT_TRUE(reg.create(1, numbers(1), 1, 10 * 60'000 + 1));  // ids[1] (created at 1 ms) has expired
}

TEST(kintone_limits, concurrency_slots_and_daily_counts_reset_at_utc_midnight) {
  request_limits limits(2, 3);
  EXPECT_TRUE(limits.enter());
  EXPECT_TRUE(limits.enter());
  EXPECT_FALSE(limits.enter());
  EXPECT_EQ(limits.running(), 2u);
  limits.leave();
  EXPECT_TRUE(limits.enter());
  const auto day1 = *parse_datetime("2025-01-01T23:59:00Z");
  for (int i = 0; i < 4; ++i) limits.count(1, day1);
  EXPECT_EQ(limits.today(1, day1), 4);
  const auto report = limits.to_json(day1);
  EXPECT_EQ(report.at("apps").at("1").at("over_limit"), true);
  EXPECT_EQ(report.at("concurrency").at("refused"), 1);
  EXPECT_EQ(limits.today(1, *parse_datetime("2025-01-02T00:00:00Z")), 0);  // 09:00 JST
}

TEST(kintone_faults, count_limits_a_rule_and_latency_adds_up) {
  fault_injector f(1);
  auto rule = [](const char* text) { return fault_rule::from_json(json::parse(text)).value(); };
  f.set_rules({rule(R"({"kind":"latency","latency_ms":50})"),
               rule(R"({"kind":"latency","latency_ms":25,"path":"/k/v1/records.json"})"),
               rule(R"({"kind":"db_lock","method":"PUT","path":"/k/v1/records.json","count":2})")});
  auto put = f.decide("PUT", "/k/v1/records.json");
  EXPECT_EQ(put.latency_ms, 75u);
  ASSERT_TRUE(put.action);
  EXPECT_EQ(put.action->code, "GAIA_RE18");
  EXPECT_EQ(put.action->status, 400);
  EXPECT_FALSE(f.decide("GET", "/k/v1/records.json").action);
  EXPECT_TRUE(f.decide("PUT", "/k/v1/records.json").action);
  EXPECT_FALSE(f.decide("PUT", "/k/v1/records.json").action);  // count used up
  EXPECT_EQ(f.decide("GET", "/k/v1/record.json").latency_ms, 50u);
  EXPECT_EQ(f.rules()[2].applied, 2);
}

TEST(kintone_faults, the_same_seed_gives_the_same_faults) {
  auto run = [](std::uint64_t seed) {
    fault_injector f(seed);
    f.set_rules({fault_rule::from_json(json::parse(R"({"kind":"error","probability":0.5})")).value()});
    std::string out;
    for (int i = 0; i < 40; ++i) out += f.decide("GET", "/k/v1/records.json").action ? 'x' : '.';
    return out;
  };
  const auto a = run(7);
  EXPECT_EQ(a, run(7));
  EXPECT_NE(a, run(8));
  EXPECT_NE(a.find('x'), std::string::npos);
  EXPECT_NE(a.find('.'), std::string::npos);
}

TEST(kintone_faults, rules_are_validated) {
  for (const char* bad :
       {R"({"kind":"explode"})", R"({"kind":"error","probability":2})", R"({"kind":"error","status":200})",
        R"({"kind":"db_lock","code":"GAIA_XX99"})", R"({"latency_ms":5})", R"({"kind":"error","colour":1})"})
    EXPECT_FALSE(fault_rule::from_json(json::parse(bad))) << bad;
  EXPECT_EQ(fault_rule::from_json(json::parse(R"({"kind":"error"})"))->status, 503);
}

}  // namespace
}  // namespace kintone_emulator
