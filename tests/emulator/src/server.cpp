#include "server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <sstream>

#include "common/log_line.hpp"

namespace kizen_emulator {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

namespace {

constexpr auto idle_timeout = std::chrono::seconds(120);
constexpr std::size_t body_limit = 32 * 1024 * 1024;
constexpr auto use_tuple = net::as_tuple(net::use_awaitable);

request to_request(const http::request<http::string_body>& m) {
  request r;
  r.method = std::string(m.method_string());
  r.target = std::string(m.target());
  r.body = m.body();
  if (auto it = m.find(http::field::host); it != m.end()) r.host = std::string(it->value());
  if (auto it = m.find("X-API-KEY"); it != m.end()) r.api_key = std::string(it->value());
  if (auto it = m.find("X-BUSINESS-ID"); it != m.end()) r.business_id = std::string(it->value());
  if (auto it = m.find("X-USER-ID"); it != m.end()) r.user_id = std::string(it->value());
  return r;
}

http::response<http::string_body> to_message(const response& res, unsigned version, bool keep_alive) {
  http::response<http::string_body> m{static_cast<http::status>(res.status), version};
  m.set(http::field::server, "kizen-emulator");
  if (!res.content_type.empty()) m.set(http::field::content_type, res.content_type);
  for (const auto& [k, v] : res.headers) m.set(k, v);
  m.body() = res.body;
  m.keep_alive(keep_alive);
  m.prepare_payload();
  return m;
}

tcp::socket& socket_of(beast::tcp_stream& s) { return s.socket(); }
tcp::socket& socket_of(beast::ssl_stream<beast::tcp_stream>& s) { return s.next_layer().socket(); }

// Closes with RST instead of FIN: SO_LINGER on with a zero timeout.
void close_with_reset(tcp::socket& socket) {
  beast::error_code ec;
  socket.set_option(net::socket_base::linger(true, 0), ec);
  socket.close(ec);
}

template <class Stream>
net::awaitable<void> serve(Stream& stream, application& app, spdlog::logger& log) {
  beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(body_limit);
    beast::get_lowest_layer(stream).expires_after(idle_timeout);
    auto [ec, n] = co_await http::async_read(stream, buffer, parser, use_tuple);
    (void)n;
    if (ec) {
      if (ec != http::error::end_of_stream && ec != beast::error::timeout && ec != net::error::eof &&
          ec != net::error::connection_reset && ec != net::ssl::error::stream_truncated) {
        // A malformed request gets a 400 before the connection closes.
        if (ec.category() == http::make_error_code(http::error::bad_target).category()) {
          auto res = to_message(
              response::detail(ec == http::error::body_limit ? 413 : 400, "Bad request: " + ec.message()), 11, false);
          co_await http::async_write(stream, res, use_tuple);
        }
        log.debug(ks::log_line("connection closed", {{"error", ec.message()}}));
      }
      break;
    }
    const auto& msg = parser.get();
    const request req = to_request(msg);
    beast::get_lowest_layer(stream).expires_never();
    if (const auto ms = app.latency_for(req)) {
      net::steady_timer timer(co_await net::this_coro::executor, std::chrono::milliseconds(ms));
      co_await timer.async_wait(use_tuple);
    }
    const auto start = std::chrono::steady_clock::now();
    outcome out = app.handle(req);
    if (log.should_log(spdlog::level::debug))
      log.debug(ks::log_line(
          "request",
          {{"method", req.method},
           {"target", req.target},
           {"http_status", out.res.status},
           {"duration_us",
            std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start).count()},
           {"delivery", out.how == delivery::normal ? "normal"
                        : out.how == delivery::drop ? "drop"
                                                    : "reset"}}));
    if (out.how == delivery::drop) {
      beast::error_code ignored;
      socket_of(stream).shutdown(tcp::socket::shutdown_both, ignored);
      socket_of(stream).close(ignored);
      co_return;
    }
    auto res = to_message(out.res, msg.version(), msg.keep_alive());
    beast::get_lowest_layer(stream).expires_after(idle_timeout);
    if (out.how == delivery::reset) {
      std::ostringstream wire;
      wire << res;
      const std::string bytes = wire.str();
      const std::size_t part = std::max<std::size_t>(1, bytes.size() / 2);
      co_await net::async_write(stream, net::buffer(bytes.data(), part), use_tuple);
      close_with_reset(socket_of(stream));
      co_return;
    }
    auto [wec, written] = co_await http::async_write(stream, res, use_tuple);
    (void)written;
    if (wec || !res.keep_alive()) break;
  }
  beast::error_code ignored;
  socket_of(stream).shutdown(tcp::socket::shutdown_send, ignored);
}

net::awaitable<void> plain_session(tcp::socket socket, application& app, std::shared_ptr<spdlog::logger> log) {
  beast::tcp_stream stream(std::move(socket));
  co_await serve(stream, app, *log);
}

net::awaitable<void> tls_session(tcp::socket socket, application& app, std::shared_ptr<net::ssl::context> ctx,
                                 std::shared_ptr<spdlog::logger> log) {
  beast::ssl_stream<beast::tcp_stream> stream(beast::tcp_stream(std::move(socket)), *ctx);
  beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(30));
  auto [ec] = co_await stream.async_handshake(net::ssl::stream_base::server, use_tuple);
  if (ec) {
    log->debug(ks::log_line("TLS handshake failed", {{"error", ec.message()}}));
    co_return;
  }
  co_await serve(stream, app, *log);
}

net::awaitable<void> accept_loop(tcp::acceptor& acceptor, application& app, std::shared_ptr<net::ssl::context> tls,
                                 std::shared_ptr<spdlog::logger> log) {
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(use_tuple);
    if (ec) {
      if (ec == net::error::operation_aborted || !acceptor.is_open()) co_return;
      log->warn(ks::log_line("accept failed", {{"error", ec.message()}}));
      continue;
    }
    beast::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    auto on_done = [log](std::exception_ptr e) {
      if (!e) return;
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        log->error(ks::log_line("connection failed", {{"error", ex.what()}}));
      }
    };
    const auto executor = socket.get_executor();
    if (tls)
      net::co_spawn(executor, tls_session(std::move(socket), app, tls, log), on_done);
    else
      net::co_spawn(executor, plain_session(std::move(socket), app, log), on_done);
  }
}

}  // namespace

server::server(net::io_context& io, application& app, const std::string& host, std::uint16_t port,
               std::shared_ptr<net::ssl::context> tls, std::shared_ptr<spdlog::logger> log)
    : io_(io), app_(app), acceptor_(io), tls_(std::move(tls)), log_(std::move(log)) {
  const tcp::endpoint ep(net::ip::make_address(host), port);
  acceptor_.open(ep.protocol());
  acceptor_.set_option(net::socket_base::reuse_address(true));
  acceptor_.bind(ep);
  acceptor_.listen(net::socket_base::max_listen_connections);
  port_ = acceptor_.local_endpoint().port();
}

void server::start() {
  net::co_spawn(io_, accept_loop(acceptor_, app_, tls_, log_), [log = log_](std::exception_ptr e) {
    if (e) log->error(ks::log_line("accept loop stopped"));
  });
}

void server::stop() {
  beast::error_code ignored;
  acceptor_.close(ignored);
}

}  // namespace kizen_emulator
