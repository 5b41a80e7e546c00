#include "common/result.hpp"

#include <gtest/gtest.h>
#include <string>

namespace {

ks::result<int, std::string> half(int n) {
  if (n % 2) return ks::fail(std::string("odd: ") + std::to_string(n));
  return n / 2;
}

ks::result<void, std::string> check(bool good) {
  if (!good) return ks::fail(std::string("bad"));
  return ks::ok;
}

}  // namespace

TEST(result, carries_a_value_or_an_error) {
  auto good = half(8);
  ASSERT_TRUE(good);
  EXPECT_EQ(*good, 4);
  auto bad = half(3);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error(), "odd: 3");
}

TEST(result, void_results) {
  EXPECT_TRUE(check(true));
  auto r = check(false);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), "bad");
}

TEST(result, converts_compatible_failures) {
  ks::result<int, std::string> r = ks::fail("text literal");  // const char* → std::string
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), "text literal");
}

TEST(result, default_constructed_is_a_failure) {
  ks::result<int, std::string> r;
  EXPECT_FALSE(r);
  EXPECT_EQ(r.error(), "");
}
