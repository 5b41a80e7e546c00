#include "connectors/kizen/retry_policy.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace ks::kizen {
namespace {

using std::chrono::milliseconds;
using namespace std::chrono_literals;

unit_random fixed(double r) {
  return [r] { return r; };
}

TEST(retry_policy, ceiling_doubles_from_initial_and_stops_at_the_cap) {
  const retry_policy p(10, 250ms, 5000ms);
  EXPECT_EQ(p.ceiling(1), 250ms);
  EXPECT_EQ(p.ceiling(2), 500ms);
  EXPECT_EQ(p.ceiling(3), 1000ms);
  EXPECT_EQ(p.ceiling(4), 2000ms);
  EXPECT_EQ(p.ceiling(5), 4000ms);
  EXPECT_EQ(p.ceiling(6), 5000ms);
  EXPECT_EQ(p.ceiling(7), 5000ms);
}

TEST(retry_policy, ceiling_never_overflows_for_huge_attempt_numbers) {
  const retry_policy p(1000000, 250ms, std::chrono::minutes(5));
  EXPECT_EQ(p.ceiling(64), std::chrono::minutes(5));
  EXPECT_EQ(p.ceiling(1000000), std::chrono::minutes(5));
  EXPECT_EQ(p.ceiling(std::numeric_limits<int>::max()), std::chrono::minutes(5));
  const retry_policy huge(10, milliseconds(std::numeric_limits<milliseconds::rep>::max() / 3), milliseconds::max());
  EXPECT_EQ(huge.ceiling(5), milliseconds::max());
}

TEST(retry_policy, full_jitter_spans_zero_to_the_ceiling) {
  const retry_policy p(10, 100ms, 10000ms);
  EXPECT_EQ(p.next_delay(3, fixed(0.0)), 0ms);
  EXPECT_EQ(p.next_delay(3, fixed(1.0)), 400ms);
  EXPECT_EQ(p.next_delay(3, fixed(0.5)), 200ms);
  EXPECT_EQ(p.next_delay(3, fixed(0.25)), 100ms);
}

TEST(retry_policy, random_values_outside_the_unit_interval_are_clamped) {
  const retry_policy p(10, 100ms, 10000ms);
  EXPECT_EQ(p.next_delay(1, fixed(-3.0)), 0ms);
  EXPECT_EQ(p.next_delay(1, fixed(7.0)), 100ms);
  EXPECT_EQ(p.next_delay(1, fixed(std::numeric_limits<double>::quiet_NaN())), 0ms);
}

TEST(retry_policy, real_random_delays_stay_within_the_window_and_vary) {
  const retry_policy p(10, 100ms, 1000ms);
  auto random = make_unit_random();
  std::vector<milliseconds> seen;
  for (int attempt = 1; attempt <= 8; ++attempt) {
    for (int i = 0; i < 200; ++i) {
      const auto d = p.next_delay(attempt, random);
      ASSERT_GE(d, 0ms);
      ASSERT_LE(d, p.ceiling(attempt));
      if (attempt == 8) seen.push_back(d);
    }
  }
  // 200 draws from [0, 1000] ms are not all equal: the jitter is real.
  EXPECT_NE(*std::min_element(seen.begin(), seen.end()), *std::max_element(seen.begin(), seen.end()));
}

TEST(retry_policy, max_attempts_counts_the_first_attempt) {
  const retry_policy p(3, 100ms, 1000ms);
  EXPECT_TRUE(p.should_retry(1));
  EXPECT_TRUE(p.should_retry(2));
  EXPECT_FALSE(p.should_retry(3));
  EXPECT_FALSE(p.should_retry(4));
  const retry_policy once(1, 100ms, 1000ms);
  EXPECT_FALSE(once.should_retry(1));
  const retry_policy nonsense(0, 100ms, 1000ms);  // read as 1
  EXPECT_EQ(nonsense.max_attempts(), 1);
  EXPECT_FALSE(nonsense.should_retry(1));
}

TEST(retry_policy, retry_after_is_a_lower_bound_even_above_the_cap) {
  const retry_policy p(10, 100ms, 1000ms);
  EXPECT_EQ(p.next_delay(1, fixed(0.0), 30000ms), 30000ms);  // server asked for 30 s: wait 30 s
  EXPECT_EQ(p.next_delay(4, fixed(1.0), 10ms), 800ms);       // the backoff was longer anyway
  EXPECT_EQ(p.next_delay(4, fixed(0.0), 0ms), 0ms);
}

TEST(retry_policy, reads_the_config_settings) {
  retry_settings s;
  s.max_attempts = 4;
  s.initial_backoff = 50ms;
  s.max_backoff = 120ms;
  const retry_policy p(s);
  EXPECT_EQ(p.max_attempts(), 4);
  EXPECT_EQ(p.ceiling(1), 50ms);
  EXPECT_EQ(p.ceiling(2), 100ms);
  EXPECT_EQ(p.ceiling(3), 120ms);
}

TEST(retry_policy, negative_or_inverted_durations_are_safe) {
  const retry_policy negative(5, -5ms, -1ms);
  EXPECT_EQ(negative.next_delay(3, fixed(1.0)), 0ms);
  const retry_policy inverted(5, 1000ms, 200ms);  // cap below initial: the cap wins
  EXPECT_EQ(inverted.ceiling(1), 200ms);
}

}  // namespace
}  // namespace ks::kizen
