// resolve_conflicts: what happens, field by field, when a Kizen record arrives for a key whose
// database changes are still queued (issue 5 "Conflicts").
#include "daemon/engine/inbound/conflict_resolution.hpp"

#include <gtest/gtest.h>
#include <algorithm>

using namespace ks::engine;
using ks::config::conflict_policy;
using namespace std::chrono_literals;

namespace {

// 2025-01-01T00:00:00Z
const wall_time t0 = wall_time(std::chrono::seconds(1735689600));

using columns = std::vector<std::string>;

}  // namespace

TEST(conflict_policy, without_queued_changes_every_received_column_is_written) {
  for (auto policy : {conflict_policy::newest_wins, conflict_policy::database_wins, conflict_policy::kizen_wins}) {
    const auto out = resolve_conflicts(policy, {"email", "first_name"}, {}, t0);
    EXPECT_EQ(out.write, (columns{"email", "first_name"}));
    EXPECT_TRUE(out.keep.empty());
    EXPECT_TRUE(out.drop_pending.empty());
    EXPECT_TRUE(out.decisions.empty());
  }
}

TEST(conflict_policy, queued_changes_of_columns_not_received_change_nothing) {
  const auto out = resolve_conflicts(conflict_policy::kizen_wins, {"email"}, {{"first_name", t0}}, t0 + 1s);
  EXPECT_EQ(out.write, columns{"email"});
  EXPECT_TRUE(out.drop_pending.empty());
  EXPECT_TRUE(out.decisions.empty());
}

TEST(conflict_policy, newest_wins_decides_field_by_field_on_the_times) {
  // first_name changed in the database after Kizen's update, last_name before it.
  const auto out = resolve_conflicts(conflict_policy::newest_wins, {"email", "first_name", "last_name"},
                                     {{"first_name", t0 + 5s}, {"last_name", t0 - 5s}}, t0);
  EXPECT_EQ(out.write, (columns{"email", "last_name"}));
  EXPECT_EQ(out.keep, columns{"first_name"});
  EXPECT_EQ(out.drop_pending, columns{"last_name"});
  ASSERT_EQ(out.decisions.size(), 2u);
  EXPECT_EQ(out.decisions[0],
            "first_name: database wins (newest_wins; Kizen updated 2025-01-01T00:00:00.000Z, database change "
            "committed 2025-01-01T00:00:05.000Z)");
  EXPECT_EQ(out.decisions[1],
            "last_name: Kizen wins (newest_wins; Kizen updated 2025-01-01T00:00:00.000Z, database change "
            "committed 2024-12-31T23:59:55.000Z)");
}

TEST(conflict_policy, newest_wins_keeps_the_database_value_on_a_tie) {
  // Equal times: the queued change has not reached Kizen yet, so Kizen's value cannot include it.
  const auto out = resolve_conflicts(conflict_policy::newest_wins, {"first_name"}, {{"first_name", t0}}, t0);
  EXPECT_EQ(out.keep, columns{"first_name"});
  EXPECT_TRUE(out.write.empty());
}

TEST(conflict_policy, newest_wins_compares_below_the_millisecond) {
  const auto out = resolve_conflicts(conflict_policy::newest_wins, {"a", "b"}, {{"a", t0 + 1us}, {"b", t0 - 1us}}, t0);
  EXPECT_EQ(out.keep, columns{"a"});
  EXPECT_EQ(out.write, columns{"b"});
}

TEST(conflict_policy, database_wins_keeps_every_queued_column_whatever_the_times) {
  const auto out = resolve_conflicts(conflict_policy::database_wins, {"email", "first_name", "last_name"},
                                     {{"first_name", t0 - 1h}, {"last_name", t0 + 1h}}, t0);
  EXPECT_EQ(out.write, columns{"email"});
  EXPECT_EQ(out.keep, (columns{"first_name", "last_name"}));
  EXPECT_TRUE(out.drop_pending.empty());
  ASSERT_EQ(out.decisions.size(), 2u);
  EXPECT_EQ(out.decisions[0],
            "first_name: database wins (database_wins; Kizen updated 2025-01-01T00:00:00.000Z, database change "
            "committed 2024-12-31T23:00:00.000Z)");
}

TEST(conflict_policy, kizen_wins_writes_and_drops_every_queued_column_whatever_the_times) {
  const auto out = resolve_conflicts(conflict_policy::kizen_wins, {"email", "first_name", "last_name"},
                                     {{"first_name", t0 - 1h}, {"last_name", t0 + 1h}}, t0);
  EXPECT_EQ(out.write, (columns{"email", "first_name", "last_name"}));
  EXPECT_TRUE(out.keep.empty());
  EXPECT_EQ(out.drop_pending, (columns{"first_name", "last_name"}));
  ASSERT_EQ(out.decisions.size(), 2u);
  EXPECT_EQ(out.decisions[1],
            "last_name: Kizen wins (kizen_wins; Kizen updated 2025-01-01T00:00:00.000Z, database change "
            "committed 2025-01-01T01:00:00.000Z)");
}

TEST(conflict_policy, the_received_order_is_kept) {
  const auto out = resolve_conflicts(conflict_policy::kizen_wins, {"z", "a", "m"}, {{"a", t0}, {"z", t0}}, t0);
  EXPECT_EQ(out.write, (columns{"z", "a", "m"}));
  EXPECT_EQ(out.drop_pending, (columns{"z", "a"}));
}

TEST(conflict_policy, a_queued_column_kizen_did_not_change_is_no_conflict_under_any_policy) {
  // The record carries last_name only because records carry every field: its value is the one
  // last synced, so the queued database change of it must survive even where Kizen would win.
  for (auto policy : {conflict_policy::newest_wins, conflict_policy::database_wins, conflict_policy::kizen_wins}) {
    const auto out = resolve_conflicts(policy, {"first_name", "last_name", "stage"},
                                       {{"first_name", t0 - 1h}, {"last_name", t0 - 1h}}, t0, {"last_name"});
    EXPECT_EQ(out.keep.back(), "last_name") << ks::config::to_string(policy);
    EXPECT_EQ(std::count(out.write.begin(), out.write.end(), "last_name"), 0) << ks::config::to_string(policy);
    EXPECT_EQ(std::count(out.drop_pending.begin(), out.drop_pending.end(), "last_name"), 0);
    ASSERT_EQ(out.decisions.size(), 1u);  // only first_name was a conflict
    EXPECT_EQ(out.decisions[0].rfind("first_name: ", 0), 0u);
    EXPECT_EQ(std::count(out.write.begin(), out.write.end(), "stage"), 1);
  }
}
