#pragma once
// The HTTP(S) transport of the Kizen client: keep-alive connections to one server, at most
// max_connections requests in flight (the others wait in FIFO order), a client-side rate limit,
// one deadline per request, TLS with SNI and certificate + host-name verification.
//
// Beast and OpenSSL stay inside http_pool.cpp (pimpl) so that including this header is cheap.
// Not thread-safe: use one pool from one thread (or strand), the one running its executor.
// The pool must outlive every send() in progress.

#include <spdlog/logger.h>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "common/result.hpp"
#include "connectors/kizen/api_request.hpp"
#include "connectors/kizen/client_settings.hpp"
#include "connectors/kizen/endpoint.hpp"
#include "connectors/kizen/error.hpp"
#include "connectors/kizen/request_lanes.hpp"

namespace ks::kizen {

struct http_response {
  int status = 0;
  std::string body;
  std::string retry_after;  // the Retry-After header as sent; empty when absent
};

struct pool_stats {
  std::uint64_t connections_opened = 0;     // TCP (+TLS) connections established so far
  std::uint64_t requests_sent = 0;          // requests written so far
  std::uint64_t reused_requests = 0;        // of those, sent on a kept-alive connection
  std::uint64_t connections_discarded = 0;  // closed after an error, a "close", or staleness
  std::uint64_t throttled = 0;              // 429s (and 503s with Retry-After) that paused every request
  std::size_t in_flight = 0;                // requests holding a slot now
  std::size_t max_in_flight = 0;            // the most slots ever held at once
  std::size_t waiting = 0;                  // requests queued for a slot now
  std::size_t idle_connections = 0;         // kept-alive connections ready for reuse
};

// Per request. start_by: the request must leave the queue (a slot, the rate limit, a throttle
// pause) by then, or it is not sent at all: the caller's hold on the work (a key's lease) would
// end before its answer could come back.
struct call_options {
  std::optional<std::chrono::steady_clock::time_point> start_by;
  // Whose request it is: background work (pulls) never takes the outbound's share.
  request_lane lane = request_lane::outbound;
};

class http_pool {
 public:
  struct options {
    std::chrono::milliseconds idle_timeout{30000};  // close kept-alive connections idle longer
    std::size_t body_limit = 64 * 1024 * 1024;      // larger answers fail as protocol errors
    std::string user_agent = "kizen-sync/0.1";
  };

  // Fails (kind invalid_request) on an unusable base_url (plain http:// to a non-loopback
  // host included), max_connections < 1, or a ca_file that cannot be loaded. With
  // tls_verify false it logs a warning, because certificates are then not checked at all.
  static result<std::unique_ptr<http_pool>, error> create(boost::asio::any_io_executor executor,
                                                          const client_settings& settings,
                                                          std::shared_ptr<spdlog::logger> logger, options opts);
  static result<std::unique_ptr<http_pool>, error> create(boost::asio::any_io_executor executor,
                                                          const client_settings& settings,
                                                          std::shared_ptr<spdlog::logger> logger);
  ~http_pool();
  http_pool(const http_pool&) = delete;
  http_pool& operator=(const http_pool&) = delete;

  // One request, one attempt. `target` is the full origin-form target (path prefix included);
  // `what` names the call in error messages ("PATCH /api/records/{object}/{id}"). Any 1xx-5xx
  // answer is a response; transport failures, timeouts and cancellation are errors. The
  // deadline (request_timeout) runs from when the request leaves the queue. A request still queued
  // at options.start_by is not sent (error kind cancelled, retryable).
  boost::asio::awaitable<result<http_response, error>> send(http_method method, std::string target,
                                                            std::optional<std::string> body, std::string what,
                                                            call_options options = {});

  const endpoint& server() const;
  pool_stats stats() const;
  boost::asio::any_io_executor get_executor() const;

 private:
  struct impl;
  explicit http_pool(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

}  // namespace ks::kizen
