// The only translation unit of ks_kizen that includes Beast and Asio SSL (compile time on 2 cores).
#include "connectors/kizen/http_pool.hpp"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <spdlog/sinks/null_sink.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <algorithm>
#include <deque>
#include <tuple>
#include <vector>

#include "common/log_line.hpp"
#include "connectors/kizen/rate_limiter.hpp"
#include "connectors/kizen/rate_limiter_async.hpp"
#include "connectors/kizen/transport_error.hpp"

namespace ks::kizen {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using steady = std::chrono::steady_clock;

namespace {

constexpr auto nothrow = net::as_tuple(net::use_awaitable);

struct connection {
  std::unique_ptr<beast::tcp_stream> plain;
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> secure;
  beast::flat_buffer buffer;
  steady::time_point idle_since;

  beast::tcp_stream& tcp() { return secure ? secure->next_layer() : *plain; }

  void close() {
    beast::error_code ignored;
    tcp().socket().shutdown(tcp::socket::shutdown_both, ignored);
    tcp().close();
  }

  // A kept-alive connection the server has closed (or sent stray bytes on) must not carry the
  // next request: that request would fail although the server never saw it.
  bool looks_alive() {
    if (!tcp().socket().is_open()) return false;
    pollfd p{tcp().socket().native_handle(), POLLIN | POLLRDHUP, 0};
    if (::poll(&p, 1, 0) < 0) return false;
    if (p.revents & (POLLERR | POLLHUP | POLLRDHUP | POLLNVAL)) return false;
    // Readable bytes on an idle plain connection are garbage; on TLS 1.3 they are usually
    // session tickets, which the next read consumes.
    if ((p.revents & POLLIN) && !secure) return false;
    if (buffer.size() > 0 && !secure) return false;
    return true;
  }
};

http::verb to_verb(http_method m) {
  switch (m) {
    case http_method::get: return http::verb::get;
    case http_method::post: return http::verb::post;
    case http_method::put: return http::verb::put;
    case http_method::patch: return http::verb::patch;
    case http_method::delete_: return http::verb::delete_;
  }
  return http::verb::get;
}

bool is_ip_literal(const std::string& host) {
  beast::error_code ec;
  net::ip::make_address(host, ec);
  return !ec;
}

struct slot_waiter {
  slot_waiter(const net::any_io_executor& ex, request_lane l) : timer(ex, steady::time_point::max()), lane(l) {}
  net::steady_timer timer;
  request_lane lane;
  bool granted = false;
};

}  // namespace

struct http_pool::impl {
  impl(net::any_io_executor ex, const client_settings& s, endpoint ep, options o, std::shared_ptr<spdlog::logger> log)
      : executor(std::move(ex)),
        settings(s),
        server(std::move(ep)),
        opts(std::move(o)),
        logger(std::move(log)),
        // A burst of one second's worth: the configured rate holds over any window of a
        // second or more.
        limiter(s.max_requests_per_second, std::max(1.0, s.max_requests_per_second), steady::now()),
        lanes(static_cast<std::size_t>(s.max_connections), s.max_requests_per_second, s.outbound_share, steady::now()) {}

  net::any_io_executor executor;
  client_settings settings;  // holds the API key: never logged, never in messages
  endpoint server;
  options opts;
  std::shared_ptr<spdlog::logger> logger;
  std::optional<ssl::context> tls_context;
  rate_limiter limiter;
  request_lanes lanes;  // the outbound's share of the connections and of the rate
  std::deque<std::shared_ptr<slot_waiter>> waiters;
  std::vector<std::unique_ptr<connection>> idle;
  pool_stats counters;

  std::string where() const { return server.host + ":" + std::to_string(server.port); }

  // Throttling is per account, not per request: a 429 (or a 503 with Retry-After) holds every
  // request of this pool for the time asked (1 s when not said, at most max_global_pause; the
  // change itself still waits the full Retry-After), instead of each key hammering on.
  static constexpr std::chrono::minutes max_global_pause{5};
  void note_throttling(const http_response& res) {
    if (res.status != 429 && !(res.status == 503 && !res.retry_after.empty())) return;
    auto pause =
        parse_retry_after(res.retry_after, std::chrono::system_clock::now()).value_or(std::chrono::milliseconds(1000));
    pause = std::min<std::chrono::milliseconds>(pause, max_global_pause);
    const auto until = steady::now() + pause;
    if (until <= limiter.paused_until()) return;
    const bool was_paused = limiter.paused_until() > steady::now();
    limiter.pause_until(until);
    ++counters.throttled;
    if (!was_paused)
      logger->warn(log_line(
          "Kizen is throttling requests; pausing all of them",
          {{"server", where()}, {"http_status", res.status}, {"pause_ms", static_cast<std::int64_t>(pause.count())}}));
  }

  // ---- the max_connections semaphore (FIFO within a lane; see request_lanes.hpp) ----

  bool lane_queued(request_lane lane) const {
    return std::any_of(waiters.begin(), waiters.end(), [lane](const auto& w) { return w->lane == lane; });
  }

  net::awaitable<beast::error_code> acquire_slot(request_lane lane) {
    if (lanes.slot_free(lane) && !lane_queued(lane)) {
      take_slot(lane);
      co_return beast::error_code{};
    }
    auto w = std::make_shared<slot_waiter>(executor, lane);
    waiters.push_back(w);
    auto [ec] = co_await w->timer.async_wait(nothrow);
    // release_slot() handed its slot over (and cancelled the timer to wake us).
    if (w->granted) co_return beast::error_code{};
    // Woken by the caller's cancellation instead: leave the queue.
    for (auto it = waiters.begin(); it != waiters.end(); ++it) {
      if (*it == w) {
        waiters.erase(it);
        break;
      }
    }
    co_return ec ? ec : beast::error_code(net::error::operation_aborted);
  }

  void take_slot(request_lane lane) {
    lanes.take_slot(lane);
    counters.max_in_flight = std::max(counters.max_in_flight, lanes.in_flight());
  }

  void release_slot(request_lane lane) {
    lanes.release_slot(lane);
    // The first waiter whose lane may take the freed slot gets it.
    for (auto it = waiters.begin(); it != waiters.end(); ++it) {
      if (!lanes.slot_free((*it)->lane)) continue;
      auto w = std::move(*it);
      waiters.erase(it);
      take_slot(w->lane);
      w->granted = true;
      w->timer.cancel();
      return;
    }
  }

  struct slot_guard {
    impl* p;
    request_lane lane;
    ~slot_guard() { p->release_slot(lane); }
  };

  // The background lane's own bucket, before the shared one.
  net::awaitable<beast::error_code> acquire_lane_token(request_lane lane) {
    beast::error_code ec;
    for (auto wait = lanes.try_acquire_lane_token(lane, steady::now()); wait > rate_limiter::duration::zero();
         wait = lanes.try_acquire_lane_token(lane, steady::now())) {
      net::steady_timer timer(executor, wait);
      std::tie(ec) = co_await timer.async_wait(nothrow);
      if (ec) break;
    }
    co_return ec;
  }

  // ---- connections ----

  void discard(std::unique_ptr<connection> c, std::string_view reason) {
    if (!c) return;
    c->close();
    ++counters.connections_discarded;
    logger->debug(log_line("kizen connection closed", {{"server", where()}, {"reason", reason}}));
  }

  std::unique_ptr<connection> take_idle() {
    const auto now = steady::now();
    while (!idle.empty()) {
      auto c = std::move(idle.back());
      idle.pop_back();
      if (now - c->idle_since > opts.idle_timeout) {
        discard(std::move(c), "idle timeout");
        continue;
      }
      if (!c->looks_alive()) {
        discard(std::move(c), "closed by server while idle");
        continue;
      }
      return c;
    }
    return nullptr;
  }

  void put_idle(std::unique_ptr<connection> c) {
    c->tcp().expires_never();
    c->idle_since = steady::now();
    idle.push_back(std::move(c));
  }

  net::awaitable<result<tcp::resolver::results_type, error>> resolve(steady::time_point deadline,
                                                                     const std::string& what) {
    using namespace net::experimental::awaitable_operators;
    tcp::resolver resolver(executor);
    net::steady_timer timer(executor, deadline);
    auto r = co_await (resolver.async_resolve(server.host, std::to_string(server.port), nothrow) ||
                       timer.async_wait(nothrow));
    if (r.index() == 1) {
      // The timer won, unless it was cancelled by the caller's cancellation.
      auto [tec] = std::get<1>(r);
      co_return fail(
          transport_error(tec ? tec : beast::error_code(beast::error::timeout), what + ": resolve " + server.host));
    }
    auto [ec, results] = std::get<0>(std::move(r));
    if (ec) co_return fail(transport_error(ec, what + ": resolve " + server.host));
    co_return results;
  }

  net::awaitable<result<std::unique_ptr<connection>, error>> connect(steady::time_point deadline,
                                                                     const std::string& what) {
    auto resolved = co_await resolve(deadline, what);
    if (!resolved) co_return fail(std::move(resolved).error());
    std::vector<tcp::endpoint> endpoints;
    for (const auto& entry : *resolved) {
      // Plain HTTP carries the API key in clear text: only ever to this machine.
      if (!server.tls && !entry.endpoint().address().is_loopback()) continue;
      endpoints.push_back(entry.endpoint());
    }
    if (endpoints.empty())
      co_return fail(invalid_request(
          what, "refusing plain http:// to " + server.host + ": it does not resolve to a loopback address"));

    auto stream = std::make_unique<beast::tcp_stream>(executor);
    stream->expires_at(deadline);
    auto [ec, ep] = co_await stream->async_connect(endpoints, nothrow);
    if (ec) co_return fail(transport_error(ec, what + ": connect to " + where()));
    stream->socket().set_option(tcp::no_delay(true), ec);

    auto c = std::make_unique<connection>();
    if (!server.tls) {
      c->plain = std::move(stream);
    } else {
      c->secure = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(std::move(*stream), *tls_context);
      SSL* native = c->secure->native_handle();
      const bool ip = is_ip_literal(server.host);
      // SNI carries host names only, never IP literals (RFC 6066).
      if (!ip) SSL_set_tlsext_host_name(native, server.host.c_str());
      if (settings.tls_verify) {
        X509_VERIFY_PARAM* param = SSL_get0_param(native);
        X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
        const int set = ip ? X509_VERIFY_PARAM_set1_ip_asc(param, server.host.c_str())
                           : X509_VERIFY_PARAM_set1_host(param, server.host.c_str(), server.host.size());
        if (set != 1) co_return fail(invalid_request(what, "cannot set up host name verification for " + server.host));
      }
      c->secure->next_layer().expires_at(deadline);
      auto [hec] = co_await c->secure->async_handshake(ssl::stream_base::client, nothrow);
      if (hec) {
        std::string detail;
        const long verify = SSL_get_verify_result(native);
        if (verify != X509_V_OK) detail = X509_verify_cert_error_string(verify);
        c->close();
        co_return fail(transport_error(hec, what + ": TLS handshake with " + where(), detail));
      }
    }
    ++counters.connections_opened;
    logger->debug(log_line("kizen connection opened", {{"server", where()}, {"tls", server.tls}}));
    co_return std::move(c);
  }

  template <class Stream>
  net::awaitable<result<http_response, error>> exchange(Stream& stream, connection& c, http_method method,
                                                        const std::string& target, std::optional<std::string>& body,
                                                        const std::string& what, bool reused, bool& keep_alive) {
    http::request<http::string_body> req{to_verb(method), target, 11};
    req.set(http::field::host, server.host_header());
    req.set(http::field::user_agent, opts.user_agent);
    req.set(http::field::accept, "application/json");
    // An empty value is left out rather than sent blank, so the server can say which is missing.
    if (!settings.api_key.empty()) req.set("X-API-KEY", settings.api_key);
    if (!settings.business_id.empty()) req.set("X-BUSINESS-ID", settings.business_id);
    if (!settings.user_id.empty()) req.set("X-USER-ID", settings.user_id);
    if (body) {
      req.set(http::field::content_type, "application/json");
      req.body() = std::move(*body);
    }
    req.keep_alive(true);
    req.prepare_payload();

    auto [wec, written] = co_await http::async_write(stream, req, nothrow);
    if (wec) co_return fail(transport_error(wec, what + ": sending to " + where()));
    ++counters.requests_sent;
    if (reused) ++counters.reused_requests;

    http::response_parser<http::string_body> parser;
    parser.header_limit(64 * 1024);
    parser.body_limit(opts.body_limit);
    auto [rec, read] = co_await http::async_read(stream, c.buffer, parser, nothrow);
    if (rec == http::error::body_limit)
      co_return fail(protocol_error(0, what, "answer larger than " + std::to_string(opts.body_limit) + " bytes"));
    if (rec) co_return fail(transport_error(rec, what + ": reading the answer from " + where()));
    auto res = parser.release();
    http_response out;
    out.status = static_cast<int>(res.result_int());
    if (auto it = res.find(http::field::retry_after); it != res.end()) out.retry_after = std::string(it->value());
    out.body = std::move(res.body());
    keep_alive = res.keep_alive();
    co_return out;
  }
};

http_pool::http_pool(std::unique_ptr<impl> p) : impl_(std::move(p)) {}

http_pool::~http_pool() {
  if (!impl_) return;
  for (auto& c : impl_->idle) c->close();
}

result<std::unique_ptr<http_pool>, error> http_pool::create(net::any_io_executor executor,
                                                            const client_settings& settings,
                                                            std::shared_ptr<spdlog::logger> logger) {
  return create(std::move(executor), settings, std::move(logger), options{});
}

result<std::unique_ptr<http_pool>, error> http_pool::create(net::any_io_executor executor,
                                                            const client_settings& settings,
                                                            std::shared_ptr<spdlog::logger> logger, options opts) {
  if (!logger) logger = std::make_shared<spdlog::logger>("kizen", std::make_shared<spdlog::sinks::null_sink_mt>());
  auto ep = endpoint::parse(settings.base_url);
  if (!ep) return fail(invalid_request("kizen.base_url", ep.error()));
  if (settings.max_connections < 1)
    return fail(invalid_request("kizen.max_connections",
                                "must be at least 1, got " + std::to_string(settings.max_connections)));
  if (settings.request_timeout.count() <= 0) return fail(invalid_request("kizen.request_timeout", "must be positive"));
  if (settings.request_timeout > std::chrono::hours(24))  // also keeps now() + timeout from overflowing
    return fail(invalid_request("kizen.request_timeout", "must be at most 24h"));
  auto p = std::make_unique<impl>(std::move(executor), settings, *ep, std::move(opts), logger);
  if (ep->tls) {
    ssl::context ctx(ssl::context::tls_client);
    ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                    ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    beast::error_code ec;
    if (settings.tls_verify) {
      ctx.set_verify_mode(ssl::verify_peer, ec);
      ctx.set_default_verify_paths(ec);
      if (!settings.ca_file.empty()) {
        ctx.load_verify_file(settings.ca_file, ec);
        if (ec)
          return fail(invalid_request("kizen.ca_file",
                                      "cannot load certificates from '" + settings.ca_file + "': " + ec.message()));
      }
    } else {
      ctx.set_verify_mode(ssl::verify_none, ec);
    }
    p->tls_context.emplace(std::move(ctx));
  }
  if (ep->tls && !settings.tls_verify) {
    logger->warn(
        log_line("TLS CERTIFICATE VERIFICATION IS DISABLED (kizen.tls_verify: false): anyone between this "
                 "host and Kizen can read and change the traffic, API key included. Use only for testing.",
                 {{"server", ep->host_header()}}));
  }
  return std::unique_ptr<http_pool>(new http_pool(std::move(p)));
}

net::awaitable<result<http_response, error>> http_pool::send(http_method method, std::string target,
                                                             std::optional<std::string> body, std::string what,
                                                             call_options options) {
  impl& p = *impl_;
  if (auto ec = co_await p.acquire_slot(options.lane))
    co_return fail(transport_error(ec, what + ": waiting for a connection"));
  impl::slot_guard guard{&p, options.lane};
  if (auto ec = co_await p.acquire_lane_token(options.lane))
    co_return fail(transport_error(ec, what + ": waiting for the rate limit"));
  if (auto ec = co_await acquire(p.limiter)) co_return fail(transport_error(ec, what + ": waiting for the rate limit"));
  if (options.start_by && steady::now() > *options.start_by) {
    error e;
    e.kind = error_kind::cancelled;
    e.retryable = true;
    e.message = what + ": not sent, it could not start in time (queued for a connection or the rate limit)";
    co_return fail(std::move(e));
  }

  const auto deadline = steady::now() + p.settings.request_timeout;
  auto conn = p.take_idle();
  const bool reused = conn != nullptr;
  if (!conn) {
    auto made = co_await p.connect(deadline, what);
    if (!made) co_return fail(std::move(made).error());
    conn = std::move(*made);
  }
  conn->tcp().expires_at(deadline);
  bool keep_alive = false;
  result<http_response, error> res = http_response{};
  if (conn->secure) {
    res = co_await p.exchange(*conn->secure, *conn, method, target, body, what, reused, keep_alive);
  } else {
    res = co_await p.exchange(*conn->plain, *conn, method, target, body, what, reused, keep_alive);
  }
  if (!res) {
    p.discard(std::move(conn), to_string(res.error().kind));
    co_return res;
  }
  if (keep_alive) {
    p.put_idle(std::move(conn));
  } else {
    p.discard(std::move(conn), "server asked to close");
  }
  p.note_throttling(*res);
  co_return res;
}

const endpoint& http_pool::server() const { return impl_->server; }

pool_stats http_pool::stats() const {
  pool_stats s = impl_->counters;
  s.in_flight = impl_->lanes.in_flight();
  s.waiting = impl_->waiters.size();
  s.idle_connections = impl_->idle.size();
  return s;
}

net::any_io_executor http_pool::get_executor() const { return impl_->executor; }

}  // namespace ks::kizen
