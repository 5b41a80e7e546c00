#include "connectors/kizen/rate_limiter_async.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace ks::kizen {

boost::asio::awaitable<boost::system::error_code> acquire(rate_limiter& limiter) {
  boost::system::error_code ec;
  for (auto wait = limiter.try_acquire(rate_limiter::clock::now()); wait > rate_limiter::duration::zero();
       wait = limiter.try_acquire(rate_limiter::clock::now())) {
    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, wait);
    co_await timer.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
    if (ec) break;
  }
  co_return ec;
}

}  // namespace ks::kizen
