#pragma once
// Waiting for a rate_limiter token inside an Asio coroutine.

#include <boost/asio/awaitable.hpp>
#include <boost/system/error_code.hpp>

#include "connectors/kizen/rate_limiter.hpp"

namespace ks::kizen {

// Books a token and sleeps until it is due. Returns operation_aborted when the coroutine is
// cancelled while waiting (the booked token is then lost, which only slows later callers).
boost::asio::awaitable<boost::system::error_code> acquire(rate_limiter& limiter);

}  // namespace ks::kizen
