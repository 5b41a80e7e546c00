#pragma once
// The one stop model of the engine: every long-running loop holds a std::stop_token, checks it
// between steps, and sleeps only through stoppable_sleep(), which a stop request cuts short.
// Work in flight is never interrupted: a stopped loop finishes its current step (a Kizen request
// and the persist of its outcome) and then returns.
//
// request_stop() must be called on the executor's thread (the callback cancels the timer).

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <stop_token>

namespace ks {

// Waits `timer` for `delay` (or until `at`); returns false if a stop was requested (before or
// during the wait), true if the time passed. Another cancel() of the timer also ends the wait
// early (a wake-up) and returns true.
boost::asio::awaitable<bool> stoppable_sleep(boost::asio::steady_timer& timer,
                                             std::chrono::steady_clock::duration delay, std::stop_token stop);
boost::asio::awaitable<bool> stoppable_sleep_until(boost::asio::steady_timer& timer,
                                                   std::chrono::steady_clock::time_point at, std::stop_token stop);

}  // namespace ks
