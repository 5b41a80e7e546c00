#pragma once
// Waiting for a rate_limiter token inside an Asio coroutine.

#include <boost/asio/awaitable.hpp>
#include <boost/system/error_code.hpp>

#include "connectors/kizen/rate_limiter.hpp"

namespace ks::kizen {

// Sleeps until a token is available and takes it. The token is taken when the caller goes on,
// not booked ahead, so callers woken late (a busy thread) cannot burst above the rate: in any
// window of T seconds at most burst + rate * T callers pass. Returns operation_aborted when the
// coroutine is cancelled while waiting.
boost::asio::awaitable<boost::system::error_code> acquire(rate_limiter& limiter);

}  // namespace ks::kizen
