#include "connectors/postgres/reconnect_backoff.hpp"

#include <gtest/gtest.h>

namespace ks::pg {
namespace {

using std::chrono::milliseconds;

TEST(pg_reconnect_backoff, doubles_up_to_the_cap_and_resets) {
  reconnect_backoff b(milliseconds(100), milliseconds(1000));
  EXPECT_EQ(b.next(), milliseconds(100));
  EXPECT_EQ(b.next(), milliseconds(200));
  EXPECT_EQ(b.next(), milliseconds(400));
  EXPECT_EQ(b.next(), milliseconds(800));
  EXPECT_EQ(b.next(), milliseconds(1000));
  EXPECT_EQ(b.next(), milliseconds(1000));
  b.reset();
  EXPECT_EQ(b.next(), milliseconds(100));
}

TEST(pg_reconnect_backoff, degenerate_settings_stay_bounded_and_positive) {
  reconnect_backoff zero(milliseconds(0), milliseconds(0));
  EXPECT_EQ(zero.next(), milliseconds(1));
  EXPECT_EQ(zero.next(), milliseconds(1));
  reconnect_backoff inverted(milliseconds(500), milliseconds(100));
  EXPECT_EQ(inverted.next(), milliseconds(500));
  EXPECT_EQ(inverted.next(), milliseconds(500));
  reconnect_backoff many(milliseconds(1), milliseconds(30'000));
  for (int i = 0; i < 200; ++i) EXPECT_LE(many.next(), milliseconds(30'000));
}

}  // namespace
}  // namespace ks::pg
