#include "common/async/stoppable_sleep.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace ks {

namespace net = boost::asio;

net::awaitable<bool> stoppable_sleep_until(net::steady_timer& timer, std::chrono::steady_clock::time_point at,
                                           std::stop_token stop) {
  if (stop.stop_requested()) co_return false;
  timer.expires_at(at);
  const std::stop_callback on_stop(stop, [&timer] { timer.cancel(); });
  co_await timer.async_wait(net::as_tuple(net::use_awaitable));
  co_return !stop.stop_requested();
}

net::awaitable<bool> stoppable_sleep(net::steady_timer& timer, std::chrono::steady_clock::duration delay,
                                     std::stop_token stop) {
  co_return co_await stoppable_sleep_until(timer, std::chrono::steady_clock::now() + delay, std::move(stop));
}

}  // namespace ks
