#include "connectors/kizen/rate_limiter_async.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace ks::kizen {

boost::asio::awaitable<boost::system::error_code> acquire(rate_limiter& limiter) {
  const auto wait = limiter.reserve(rate_limiter::clock::now());
  boost::system::error_code ec;
  if (wait > rate_limiter::duration::zero()) {
    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, wait);
    co_await timer.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
  }
  co_return ec;
}

}  // namespace ks::kizen
