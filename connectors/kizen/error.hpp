#pragma once
// The error every Kizen client operation reports, and the rules that classify failures as
// retryable or permanent (DESIGN.md invariant 5). The client makes one attempt per call; the
// daemon reads `retryable` and `retry_after` to decide what to do next.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace ks::kizen {

enum class error_kind {
  network,          // connect/read/write failed, connection reset or dropped (retryable)
  timeout,          // request_timeout elapsed (retryable)
  tls,              // handshake/verification failure (permanent: a config or trust problem)
  http,             // the server answered with a non-2xx status (see http_status)
  protocol,         // a 2xx answer we cannot use: malformed body, unexpected shape (permanent)
  cancelled,        // the caller cancelled the operation
  invalid_request,  // the call's arguments cannot make a valid request; nothing was sent
};

const char* to_string(error_kind kind);

struct error {
  error_kind kind = error_kind::network;
  int http_status = 0;  // 0 unless kind == http (or a protocol error on a 2xx answer)
  bool retryable = false;
  bool throttled = false;  // 429: the server did not act on the request; waiting is the cure
  std::optional<std::chrono::milliseconds> retry_after;  // the server's Retry-After, if any
  std::string message;                                   // readable; never contains the API key
};

// Retry-After as delta-seconds ("120") or an HTTP-date (IMF-fixdate, RFC 850 or asctime form),
// relative to `now`. Dates in the past give 0. Unparseable or negative values give nullopt.
// Absurdly large values are clamped to max_retry_after so arithmetic never overflows.
inline constexpr std::chrono::milliseconds max_retry_after = std::chrono::hours(24);
std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view header,
                                                           std::chrono::system_clock::time_point now);

// An HTTP-date, or nullopt.
std::optional<std::chrono::sys_seconds> parse_http_date(std::string_view text);

// A non-2xx answer. `server_message` is the readable text of the error body (see
// response_parser's describe_error_body); `what` names the call, e.g. "PATCH /api/records/{object}/{id}".
// Retryable: 429 and 5xx. Permanent: every other status.
error http_error(int status, std::string_view what, std::string_view server_message,
                 std::optional<std::chrono::milliseconds> retry_after);

// A 2xx answer whose body cannot be used (permanent).
error protocol_error(int status, std::string_view what, std::string_view problem);

// Arguments that cannot make a valid request (permanent, nothing was sent).
error invalid_request(std::string_view what, std::string_view problem);

}  // namespace ks::kizen
