// pull_pacing: idle objects pull less often, and go back to pull_interval on the first change.
#include "daemon/engine/inbound/pull_pacing.hpp"

#include <gtest/gtest.h>

using ks::engine::pull_pacing;
using namespace std::chrono_literals;

TEST(pull_pacing, an_idle_object_waits_longer_and_longer_up_to_its_idle_interval) {
  pull_pacing p(1000ms, 4000ms);
  EXPECT_EQ(p.after_pull(false), 1000ms);  // the first empty pull: as configured
  EXPECT_EQ(p.after_pull(false), 2000ms);
  EXPECT_EQ(p.after_pull(false), 4000ms);
  EXPECT_EQ(p.after_pull(false), 4000ms);  // capped
  EXPECT_EQ(p.after_pull(true), 1000ms);   // a change: back at once
  EXPECT_EQ(p.after_pull(false), 1000ms);
  EXPECT_EQ(p.after_pull(false), 2000ms);
}

TEST(pull_pacing, an_idle_interval_not_above_the_pull_interval_never_slows_down) {
  pull_pacing p(500ms, 100ms);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(p.after_pull(false), 500ms);
}
