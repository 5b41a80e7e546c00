#include "common/backoff.hpp"

#include <gtest/gtest.h>

namespace ks {
namespace {

using std::chrono::milliseconds;

TEST(backoff, doubles_up_to_the_cap_and_resets) {
  backoff b({milliseconds(100), milliseconds(1000)});
  EXPECT_EQ(b.next(), milliseconds(100));
  EXPECT_EQ(b.next(), milliseconds(200));
  EXPECT_EQ(b.next(), milliseconds(400));
  EXPECT_EQ(b.next(), milliseconds(800));
  EXPECT_EQ(b.next(), milliseconds(1000));
  EXPECT_EQ(b.next(), milliseconds(1000));
  b.reset();
  EXPECT_EQ(b.next(), milliseconds(100));
}

TEST(backoff, degenerate_settings_stay_bounded_and_positive) {
  backoff zero({milliseconds(0), milliseconds(0)});
  EXPECT_EQ(zero.next(), milliseconds(1));
  EXPECT_EQ(zero.next(), milliseconds(1));
  backoff inverted({milliseconds(500), milliseconds(100)});
  EXPECT_EQ(inverted.next(), milliseconds(500));
  EXPECT_EQ(inverted.next(), milliseconds(500));
  backoff many({milliseconds(1), milliseconds(30'000)});
  for (int i = 0; i < 200; ++i) EXPECT_LE(many.next(), milliseconds(30'000));
}

}  // namespace
}  // namespace ks
