#include "connectors/kizen/rate_limiter.hpp"

#include <gtest/gtest.h>

namespace ks::kizen {
namespace {

using namespace std::chrono_literals;
using clock = rate_limiter::clock;
using duration = rate_limiter::duration;

TEST(rate_limiter, a_full_bucket_allows_a_burst_then_asks_to_wait) {
  const auto t0 = clock::time_point{} + 100s;
  rate_limiter limiter(10, 3, t0);  // 10/s, burst 3
  EXPECT_EQ(limiter.try_acquire(t0), duration::zero());
  EXPECT_EQ(limiter.try_acquire(t0), duration::zero());
  EXPECT_EQ(limiter.try_acquire(t0), duration::zero());
  EXPECT_EQ(limiter.try_acquire(t0), duration(100ms));  // one token takes 1/10 s
  EXPECT_EQ(limiter.try_acquire(t0), duration(100ms));  // a refusal takes nothing
}

TEST(rate_limiter, a_pause_holds_everyone_then_resumes_at_the_rate_without_a_burst) {
  const auto t0 = clock::time_point{} + 100s;
  rate_limiter limiter(10, 5, t0);
  EXPECT_EQ(limiter.try_acquire(t0), duration::zero());
  limiter.pause_until(t0 + 1s);  // e.g. a 429 with Retry-After: 1
  EXPECT_EQ(limiter.try_acquire(t0 + 200ms), duration(800ms));
  EXPECT_DOUBLE_EQ(limiter.available(t0 + 999ms), 0.0);
  limiter.pause_until(t0 + 500ms);  // a shorter pause does not cut the first one short
  EXPECT_EQ(limiter.try_acquire(t0 + 600ms), duration(400ms));
  // The bucket saved nothing up during the pause: one token per 1/10 s from its end.
  EXPECT_EQ(limiter.try_acquire(t0 + 1s), duration(100ms));
  EXPECT_EQ(limiter.try_acquire(t0 + 1100ms), duration::zero());
  EXPECT_EQ(limiter.try_acquire(t0 + 1100ms), duration(100ms));
}

TEST(rate_limiter, an_unlimited_limiter_still_pauses) {
  const auto t0 = clock::time_point{} + 100s;
  rate_limiter limiter(0, 1, t0);
  limiter.pause_until(t0 + 2s);
  EXPECT_EQ(limiter.try_acquire(t0), duration(2s));
  EXPECT_EQ(limiter.try_acquire(t0 + 2s), duration::zero());
  EXPECT_EQ(limiter.try_acquire(t0 + 2s), duration::zero());
}

TEST(rate_limiter, tokens_refill_at_the_rate) {
  const auto t0 = clock::time_point{} + 100s;
  rate_limiter limiter(10, 1, t0);
  EXPECT_EQ(limiter.try_acquire(t0), duration::zero());
  EXPECT_EQ(limiter.try_acquire(t0 + 40ms), duration(60ms));
  EXPECT_EQ(limiter.try_acquire(t0 + 100ms), duration::zero());
  EXPECT_EQ(limiter.try_acquire(t0 + 150ms), duration(50ms));
}

TEST(rate_limiter, refill_never_exceeds_the_burst) {
  const auto t0 = clock::time_point{} + 100s;
  rate_limiter limiter(100, 2, t0);
  EXPECT_EQ(limiter.try_acquire(t0), duration::zero());
  EXPECT_EQ(limiter.try_acquire(t0), duration::zero());
  const auto later = t0 + 3600s;  // an hour idle saves up 2 tokens, not 360000
  EXPECT_DOUBLE_EQ(limiter.available(later), 2.0);
  EXPECT_EQ(limiter.try_acquire(later), duration::zero());
  EXPECT_EQ(limiter.try_acquire(later), duration::zero());
  EXPECT_GT(limiter.try_acquire(later), duration::zero());
}

TEST(rate_limiter, a_rate_of_zero_or_less_is_unlimited) {
  const auto t0 = clock::time_point{} + 100s;
  rate_limiter zero(0, 1, t0);
  rate_limiter negative(-5, 1, t0);
  for (int i = 0; i < 1000; ++i) {
    ASSERT_EQ(zero.try_acquire(t0), duration::zero());
    ASSERT_EQ(negative.try_acquire(t0), duration::zero());
  }
  EXPECT_TRUE(zero.unlimited());
}

TEST(rate_limiter, burst_below_one_reads_as_one) {
  const auto t0 = clock::time_point{} + 100s;
  rate_limiter limiter(1, 0.2, t0);
  EXPECT_EQ(limiter.try_acquire(t0), duration::zero());
  EXPECT_EQ(limiter.try_acquire(t0), duration(1s));
}

TEST(rate_limiter, a_clock_reading_from_the_past_takes_nothing_back) {
  const auto t0 = clock::time_point{} + 100s;
  rate_limiter limiter(10, 1, t0);
  EXPECT_EQ(limiter.try_acquire(t0), duration::zero());
  EXPECT_EQ(limiter.try_acquire(t0 - 10s), duration(100ms));
  EXPECT_EQ(limiter.try_acquire(t0 + 100ms), duration::zero());
}

TEST(rate_limiter, waiting_exactly_the_returned_time_finds_a_token) {
  const auto t0 = clock::time_point{} + 100s;
  rate_limiter limiter(3, 1, t0);  // 1/3 s is not a whole number of nanoseconds
  ASSERT_EQ(limiter.try_acquire(t0), duration::zero());
  auto now = t0;
  for (int i = 0; i < 50; ++i) {
    const auto wait = limiter.try_acquire(now);
    ASSERT_GT(wait, duration::zero());
    now += wait;
    ASSERT_EQ(limiter.try_acquire(now), duration::zero()) << "after waiting " << wait.count() << " ns";
  }
}

}  // namespace
}  // namespace ks::kizen
