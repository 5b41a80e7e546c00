#pragma once
// Transport failures (Asio, Beast and OpenSSL error codes) as Kizen client errors. Apart from
// error.hpp because it needs Asio: the rest of the error rules are pure.

#include "connectors/kizen/error.hpp"

#include <boost/system/error_code.hpp>
#include <string_view>

namespace ks::kizen {

// A transport failure (connect, TLS handshake, write, read) during `what`. Timeouts and network
// failures are retryable; certificate and other TLS failures are not; operation_aborted means
// the caller cancelled. `detail` adds context, e.g. OpenSSL's verify result.
error transport_error(const boost::system::error_code& ec, std::string_view what, std::string_view detail = {});

}  // namespace ks::kizen
