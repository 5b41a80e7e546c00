// The outbound's guaranteed share of Kizen (request_lanes): background requests (pulls) never hold
// the connections or the rate the outbound is owed, and either lane uses what the other leaves.
#include "connectors/kizen/request_lanes.hpp"

#include <gtest/gtest.h>

namespace ks::kizen {
namespace {

using namespace std::chrono_literals;
using clock = request_lanes::clock;
constexpr auto bg = request_lane::background;
constexpr auto out = request_lane::outbound;

TEST(request_lanes, background_requests_leave_the_outbound_its_share_of_the_connections) {
  request_lanes lanes(8, 20, 0.5, clock::time_point{} + 1s);
  EXPECT_EQ(lanes.background_slots(), 4u);
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(lanes.slot_free(bg));
    lanes.take_slot(bg);
  }
  EXPECT_FALSE(lanes.slot_free(bg)) << "a fifth pull took the outbound's connections";
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(lanes.slot_free(out));
    lanes.take_slot(out);
  }
  EXPECT_FALSE(lanes.slot_free(out));  // all eight in use
  lanes.release_slot(bg);
  EXPECT_TRUE(lanes.slot_free(bg));
  EXPECT_TRUE(lanes.slot_free(out));
}

TEST(request_lanes, the_outbound_may_use_every_connection_the_pulls_leave_idle) {
  request_lanes lanes(4, 20, 0.5, clock::time_point{} + 1s);
  for (int i = 0; i < 4; ++i) lanes.take_slot(out);
  EXPECT_EQ(lanes.in_flight(), 4u);
  EXPECT_FALSE(lanes.slot_free(bg));
  EXPECT_FALSE(lanes.slot_free(out));
}

TEST(request_lanes, one_connection_is_shared_and_the_share_always_leaves_pulls_one) {
  EXPECT_EQ(request_lanes(1, 20, 0.5, clock::time_point{}).background_slots(), 1u);
  EXPECT_EQ(request_lanes(2, 20, 0.9, clock::time_point{}).background_slots(), 1u);
  EXPECT_EQ(request_lanes(10, 20, 0.25, clock::time_point{}).background_slots(), 7u);
}

TEST(request_lanes, background_requests_take_at_most_their_share_of_the_rate) {
  const auto t0 = clock::time_point{} + 100s;
  request_lanes lanes(8, 20, 0.5, t0);  // pulls: 10/s of the 20/s
  int passed = 0;
  for (auto t = t0; t < t0 + 10s; t += 10ms)
    while (lanes.try_acquire_lane_token(bg, t) == rate_limiter::duration::zero()) ++passed;
  EXPECT_GE(passed, 100);
  EXPECT_LE(passed, 111) << "over 10 s the pulls took more than their 10/s (plus a burst of 10)";
  EXPECT_EQ(lanes.try_acquire_lane_token(out, t0), rate_limiter::duration::zero()) << "the outbound has no lane bucket";
}

}  // namespace
}  // namespace ks::kizen
