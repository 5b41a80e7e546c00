#include "connectors/kizen/error.hpp"
#include "connectors/kizen/transport_error.hpp"

#include <gtest/gtest.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/error.hpp>

namespace ks::kizen {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;
using std::chrono::system_clock;

// 1994-11-06 08:49:37 UTC, the RFC's example date.
system_clock::time_point rfc_example() {
  using namespace std::chrono;
  return sys_days{year{1994} / November / 6} + 8h + 49min + 37s;
}

TEST(retry_after, delta_seconds) {
  const auto now = system_clock::now();
  EXPECT_EQ(parse_retry_after("120", now), milliseconds(120000));
  EXPECT_EQ(parse_retry_after("0", now), milliseconds(0));
  EXPECT_EQ(parse_retry_after("  7 ", now), milliseconds(7000));
}

TEST(retry_after, http_date_in_all_three_forms) {
  const auto now = rfc_example() - 90s;
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now), milliseconds(90000));
  EXPECT_EQ(parse_retry_after("Sunday, 06-Nov-94 08:49:37 GMT", now), milliseconds(90000));
  EXPECT_EQ(parse_retry_after("Sun Nov  6 08:49:37 1994", now), milliseconds(90000));
}

TEST(retry_after, a_date_in_the_past_means_now) {
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", rfc_example() + 1h), milliseconds(0));
}

TEST(retry_after, garbage_is_ignored) {
  const auto now = system_clock::now();
  for (const char* bad : {"", "   ", "-5", "1.5", "soon", "12abc", "Sun, 32 Nov 1994 08:49:37 GMT",
                          "Sun, 06 Foo 1994 08:49:37 GMT", "Sun, 06 Nov 1994 25:49:37 GMT",
                          "Sun, 06 Nov 1994 08:49:37 PST", "Sun, 29 Feb 1995 08:49:37 GMT", "\xff\xfe"}) {
    EXPECT_EQ(parse_retry_after(bad, now), std::nullopt) << "'" << bad << "'";
  }
}

TEST(retry_after, huge_values_are_clamped_not_overflowed) {
  const auto now = system_clock::now();
  EXPECT_EQ(parse_retry_after("99999999999999999999999999999", now), max_retry_after);
  EXPECT_EQ(parse_retry_after("18446744073709551615", now), max_retry_after);
  EXPECT_EQ(parse_retry_after("Fri, 31 Dec 9999 23:59:59 GMT", rfc_example()), max_retry_after);
}

TEST(http_error, 429_and_5xx_are_retryable) {
  for (int status : {429, 500, 502, 503, 504, 599}) {
    const auto e = http_error(status, "POST /api/records/{object}/upsert", "", std::nullopt);
    EXPECT_EQ(e.kind, error_kind::http);
    EXPECT_EQ(e.http_status, status);
    EXPECT_TRUE(e.retryable) << status;
  }
}

TEST(http_error, other_4xx_are_permanent) {
  for (int status : {400, 401, 403, 404, 405, 409, 410, 413, 422}) {
    EXPECT_FALSE(http_error(status, "GET /x", "", std::nullopt).retryable) << status;
  }
}

TEST(http_error, message_names_the_call_and_the_server_text_and_keeps_retry_after) {
  const auto e = http_error(400, "PATCH /api/records/{object}/{id}", "fields[0].value: Enter a valid email address.",
                            std::nullopt);
  EXPECT_EQ(e.message, "HTTP 400 on PATCH /api/records/{object}/{id}: fields[0].value: Enter a valid email address.");
  const auto throttled = http_error(429, "GET /x", "", 3000ms);
  EXPECT_EQ(throttled.retry_after, 3000ms);
  EXPECT_TRUE(throttled.throttled);
  EXPECT_FALSE(http_error(503, "GET /x", "", 3000ms).throttled);  // a failure, though retryable
  const auto auth = http_error(401, "GET /x", "code: missing_business_context", std::nullopt);
  EXPECT_NE(auth.message.find("check api_key"), std::string::npos);
  EXPECT_NE(auth.message.find("missing_business_context"), std::string::npos);
}

TEST(transport_error, timeouts_and_network_failures_are_retryable) {
  namespace net = boost::asio;
  const auto t = transport_error(boost::beast::error::timeout, "GET /x");
  EXPECT_EQ(t.kind, error_kind::timeout);
  EXPECT_TRUE(t.retryable);
  for (auto ec : {make_error_code(net::error::connection_reset), make_error_code(net::error::connection_refused),
                  make_error_code(net::error::broken_pipe), make_error_code(net::error::eof),
                  make_error_code(net::ssl::error::stream_truncated)}) {
    const auto e = transport_error(ec, "GET /x");
    EXPECT_EQ(e.kind, error_kind::network) << ec.message();
    EXPECT_TRUE(e.retryable) << ec.message();
    EXPECT_EQ(e.http_status, 0);
  }
}

TEST(transport_error, certificate_failures_are_permanent_tls_errors) {
  const boost::system::error_code verify_failed(
      static_cast<int>(ERR_PACK(ERR_LIB_SSL, 0, SSL_R_CERTIFICATE_VERIFY_FAILED)),
      boost::asio::error::get_ssl_category());
  const auto e = transport_error(verify_failed, "TLS handshake with example.com:443", "hostname mismatch");
  EXPECT_EQ(e.kind, error_kind::tls);
  EXPECT_FALSE(e.retryable);
  EXPECT_NE(e.message.find("hostname mismatch"), std::string::npos);
  EXPECT_NE(e.message.find("example.com:443"), std::string::npos);
}

TEST(transport_error, cancellation_is_its_own_kind) {
  const auto e = transport_error(boost::asio::error::operation_aborted, "GET /x");
  EXPECT_EQ(e.kind, error_kind::cancelled);
  EXPECT_FALSE(e.retryable);
}

TEST(protocol_error, is_permanent_and_keeps_the_status) {
  const auto e = protocol_error(200, "GET /api/records/{object}/{id}", "record: fields: missing");
  EXPECT_EQ(e.kind, error_kind::protocol);
  EXPECT_EQ(e.http_status, 200);
  EXPECT_FALSE(e.retryable);
  EXPECT_NE(e.message.find("record: fields: missing"), std::string::npos);
}

TEST(error_kind, has_names) {
  EXPECT_STREQ(to_string(error_kind::timeout), "timeout");
  EXPECT_STREQ(to_string(error_kind::invalid_request), "invalid_request");
}

}  // namespace
}  // namespace ks::kizen
