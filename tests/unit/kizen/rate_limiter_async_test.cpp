// The Asio wrapper of rate_limiter: timers only, no sockets.
#include "connectors/kizen/rate_limiter_async.hpp"

#include <gtest/gtest.h>

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

TEST(rate_limiter_async, waiters_go_in_the_order_they_asked) {
  net::io_context io;
  rate_limiter limiter(200, 1, rate_limiter::clock::now());  // one token every 5 ms
  std::vector<int> order;
  std::vector<boost::system::error_code> errors;
  for (int i = 0; i < 6; ++i) {
    net::co_spawn(io, [&, i]() -> net::awaitable<void> {
      errors.push_back(co_await acquire(limiter));
      order.push_back(i);
    }, net::detached);
  }
  io.run();
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4, 5}));
  for (const auto& ec : errors) EXPECT_FALSE(ec) << ec.message();
  // Six tokens were taken from a bucket that held one: five were booked ahead.
  EXPECT_LT(limiter.available(rate_limiter::clock::now()), 1.0);
}

TEST(rate_limiter_async, an_unlimited_limiter_never_waits) {
  net::io_context io;
  rate_limiter limiter(0, 1, rate_limiter::clock::now());
  int done = 0;
  for (int i = 0; i < 100; ++i) {
    net::co_spawn(io, [&]() -> net::awaitable<void> {
      if (!co_await acquire(limiter)) ++done;
    }, net::detached);
  }
  io.run();
  EXPECT_EQ(done, 100);
}

TEST(rate_limiter_async, a_cancelled_wait_reports_operation_aborted) {
  net::io_context io;
  rate_limiter limiter(0.5, 1, rate_limiter::clock::now());  // the second token is 2 s away
  boost::system::error_code first, second;
  net::co_spawn(io, [&]() -> net::awaitable<void> {
    using namespace net::experimental::awaitable_operators;
    first = co_await acquire(limiter);
    net::steady_timer timer(co_await net::this_coro::executor, 20ms);
    auto waiting = [&]() -> net::awaitable<void> { second = co_await acquire(limiter); };
    co_await (waiting() || timer.async_wait(net::use_awaitable));
  }, net::detached);
  io.run();
  EXPECT_FALSE(first);
  EXPECT_EQ(second, net::error::operation_aborted);
}

}  // namespace
}  // namespace ks::kizen
