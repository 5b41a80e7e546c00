// kizen_breaker: when Kizen as a whole fails the outbound pauses (no attempts spent), probes with
// backoff, and resumes on the first answer; one record's refusal says nothing about Kizen.
#include "daemon/engine/outbound/kizen_breaker.hpp"

#include <gtest/gtest.h>

using namespace ks::engine;
using namespace std::chrono_literals;
using kind = outbound_outcome::kind;
using clock_type = kizen_breaker::clock;

namespace {

outbound_outcome outcome(kind what, std::optional<int> status = std::nullopt,
                         std::optional<ks::kizen::error_kind> failure = std::nullopt) {
  outbound_outcome o;
  o.what = what;
  o.http_status = status;
  o.failure_kind = failure;
  o.requests = 1;
  o.message = "the reason";
  return o;
}

const auto down = outcome(kind::retry, 503, ks::kizen::error_kind::http);
const auto refused = outcome(kind::retry, std::nullopt, ks::kizen::error_kind::network);

}  // namespace

TEST(kizen_breaker, what_an_outcome_says_about_kizen) {
  EXPECT_EQ(signal_of(outcome(kind::applied)), service_signal::answering);
  EXPECT_EQ(signal_of(outcome(kind::dead, 400, ks::kizen::error_kind::http)), service_signal::answering);
  EXPECT_EQ(signal_of(down), service_signal::failing);
  EXPECT_EQ(signal_of(refused), service_signal::failing);
  EXPECT_EQ(signal_of(outcome(kind::dead, 401, ks::kizen::error_kind::http)), service_signal::failing);
  EXPECT_EQ(signal_of(outcome(kind::dead, std::nullopt, ks::kizen::error_kind::tls)), service_signal::failing);
  auto throttled = outcome(kind::retry, 429, ks::kizen::error_kind::http);
  throttled.throttled = true;
  EXPECT_EQ(signal_of(throttled), service_signal::neutral);
  EXPECT_EQ(signal_of(outcome(kind::wait)), service_signal::neutral);
  auto unsent = outcome(kind::nothing_to_do);
  unsent.requests = 0;  // a row deleted before it reached Kizen: no request, no news
  EXPECT_EQ(signal_of(unsent), service_signal::neutral);
}

TEST(kizen_breaker, opens_after_failures_in_a_row_then_probes_with_backoff_and_closes_on_an_answer) {
  kizen_breaker b({.failures_to_open = 3, .first_probe = 1000ms, .max_probe = 4000ms});
  const auto t0 = clock_type::now();
  EXPECT_EQ(b.admit(t0, 8), 8u);
  EXPECT_FALSE(b.record(down, t0));
  EXPECT_FALSE(b.record(outcome(kind::dead, 400, ks::kizen::error_kind::http), t0));  // a record's problem: resets
  EXPECT_FALSE(b.record(down, t0));
  EXPECT_FALSE(b.record(refused, t0));
  EXPECT_TRUE(b.record(down, t0));  // the third in a row
  EXPECT_TRUE(b.open());
  EXPECT_EQ(b.reason(), "the reason");
  EXPECT_EQ(b.open_since(), t0);
  EXPECT_EQ(b.admit(t0 + 999ms, 8), 0u);  // nothing claimed while open
  EXPECT_EQ(b.next_probe(), t0 + 1000ms);
  EXPECT_TRUE(b.record(down, t0 + 10ms));  // a key in flight when it opened: still open, no probe change
  EXPECT_EQ(b.next_probe(), t0 + 1000ms);

  EXPECT_EQ(b.admit(t0 + 1000ms, 8), 1u);  // one probe
  EXPECT_EQ(b.admit(t0 + 1000ms, 8), 0u);  // and only one at a time
  EXPECT_TRUE(b.record(down, t0 + 1100ms));
  EXPECT_EQ(b.next_probe(), t0 + 1100ms + 2000ms);  // doubled
  EXPECT_EQ(b.admit(t0 + 3100ms, 8), 1u);
  EXPECT_TRUE(b.record(down, t0 + 3100ms));
  EXPECT_EQ(b.next_probe(), t0 + 3100ms + 4000ms);
  EXPECT_EQ(b.admit(t0 + 7100ms, 8), 1u);
  EXPECT_TRUE(b.record(down, t0 + 7100ms));
  EXPECT_EQ(b.next_probe(), t0 + 7100ms + 4000ms);  // capped
  EXPECT_EQ(b.open_since(), t0);

  EXPECT_EQ(b.admit(t0 + 11100ms, 8), 1u);
  EXPECT_FALSE(b.record(outcome(kind::applied), t0 + 11200ms));
  EXPECT_FALSE(b.open());
  EXPECT_EQ(b.admit(t0 + 11200ms, 8), 8u);
  EXPECT_EQ(b.open_since(), std::nullopt);
}

TEST(kizen_breaker, a_rotated_key_or_a_tls_failure_opens_it_at_once) {
  for (const auto& o : {outcome(kind::dead, 401, ks::kizen::error_kind::http),
                        outcome(kind::dead, std::nullopt, ks::kizen::error_kind::tls)}) {
    kizen_breaker b;
    EXPECT_TRUE(b.record(o, clock_type::now()));
  }
}

TEST(kizen_breaker, a_probe_that_finds_nothing_to_do_or_tells_nothing_is_tried_again) {
  kizen_breaker b({.failures_to_open = 1, .first_probe = 1000ms, .max_probe = 4000ms});
  const auto t0 = clock_type::now();
  b.record(down, t0);
  ASSERT_EQ(b.admit(t0 + 1s, 8), 1u);
  b.probe_unused();  // no claimable change
  EXPECT_EQ(b.admit(t0 + 1s, 8), 1u);
  EXPECT_TRUE(b.record(outcome(kind::wait), t0 + 1s));  // waits for a referenced row: no news
  EXPECT_EQ(b.admit(t0 + 1s, 8), 1u);
  EXPECT_EQ(b.failed_probes(), 0);
}
