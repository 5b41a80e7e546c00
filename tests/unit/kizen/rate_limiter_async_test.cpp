// The Asio wrapper of rate_limiter: timers only, no sockets.
#include "connectors/kizen/rate_limiter_async.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <vector>

namespace ks::kizen {
namespace {

namespace net = boost::asio;
using namespace std::chrono_literals;

TEST(rate_limiter_async, waiters_are_held_back_to_the_rate) {
  net::io_context io;
  const auto start = rate_limiter::clock::now();
  rate_limiter limiter(100, 1, start);  // one token every 10 ms, none saved up beyond one
  std::vector<rate_limiter::clock::time_point> done;
  std::vector<boost::system::error_code> errors;
  for (int i = 0; i < 6; ++i) {
    net::co_spawn(
        io,
        [&]() -> net::awaitable<void> {
          errors.push_back(co_await acquire(limiter));
          done.push_back(rate_limiter::clock::now());
        },
        net::detached);
  }
  io.run();
  ASSERT_EQ(done.size(), 6u);
  for (const auto& ec : errors) EXPECT_FALSE(ec) << ec.message();
  // A lower bound only (timers never fire early): the k-th grant (0-based) cannot come before
  // k intervals have passed, since the bucket holds one token and refills one per 10 ms.
  std::sort(done.begin(), done.end());
  for (std::size_t k = 1; k < done.size(); ++k) EXPECT_GE(done[k] - start, k * 10ms) << k;
}

TEST(rate_limiter_async, an_unlimited_limiter_never_waits) {
  net::io_context io;
  rate_limiter limiter(0, 1, rate_limiter::clock::now());
  int done = 0;
  for (int i = 0; i < 100; ++i) {
    net::co_spawn(
        io,
        [&]() -> net::awaitable<void> {
          if (!co_await acquire(limiter)) ++done;
        },
        net::detached);
  }
  io.run();
  EXPECT_EQ(done, 100);
}

TEST(rate_limiter_async, a_cancelled_wait_reports_operation_aborted) {
  net::io_context io;
  rate_limiter limiter(0.5, 1, rate_limiter::clock::now());  // the second token is 2 s away
  boost::system::error_code first, second;
  net::co_spawn(
      io,
      [&]() -> net::awaitable<void> {
        using namespace net::experimental::awaitable_operators;
        first = co_await acquire(limiter);
        net::steady_timer timer(co_await net::this_coro::executor, 20ms);
        auto waiting = [&]() -> net::awaitable<void> { second = co_await acquire(limiter); };
        co_await (waiting() || timer.async_wait(net::use_awaitable));
      },
      net::detached);
  io.run();
  EXPECT_FALSE(first);
  EXPECT_EQ(second, net::error::operation_aborted);
}

}  // namespace
}  // namespace ks::kizen
