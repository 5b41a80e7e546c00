#include "connectors/kizen/transport_error.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/error.hpp>

namespace ks::kizen {

error transport_error(const boost::system::error_code& ec, std::string_view what, std::string_view detail) {
  namespace net = boost::asio;
  error e;
  e.message = std::string(what) + ": ";
  if (ec == net::error::operation_aborted) {
    e.kind = error_kind::cancelled;
    e.message += "cancelled";
    return e;
  }
  if (ec == boost::beast::error::timeout || ec == net::error::timed_out) {
    e.kind = error_kind::timeout;
    e.retryable = true;
    e.message += "request_timeout elapsed";
    return e;
  }
  if (ec.category() == net::error::get_ssl_category()) {
    // Handshake and certificate problems do not heal by retrying: they need the operator.
    e.kind = error_kind::tls;
    e.retryable = false;
    e.message += "TLS failure: " + ec.message();
    if (!detail.empty()) e.message += " (" + std::string(detail) + ")";
    return e;
  }
  // Connection refused/reset, EOF, a truncated TLS stream, host not found: transient.
  e.kind = error_kind::network;
  e.retryable = true;
  e.message += ec.message();
  if (!detail.empty()) e.message += " (" + std::string(detail) + ")";
  return e;
}

}  // namespace ks::kizen
