#include "daemon/service/status_server.hpp"

#include "common/log_line.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <charconv>
#include <stdexcept>

namespace ks::service {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using net::ip::tcp;

tcp::endpoint parse_listen_address(const std::string& listen) {
  std::string host, port;
  if (!listen.empty() && listen.front() == '[') {
    const auto close = listen.find(']');
    if (close == std::string::npos || close + 1 >= listen.size() || listen[close + 1] != ':')
      throw std::invalid_argument("'" + listen + "' is not [address]:port");
    host = listen.substr(1, close - 1);
    port = listen.substr(close + 2);
  } else {
    const auto colon = listen.rfind(':');
    if (colon == std::string::npos) throw std::invalid_argument("'" + listen + "' is not host:port");
    host = listen.substr(0, colon);
    port = listen.substr(colon + 1);
  }
  unsigned short p = 0;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
  if (ec != std::errc() || end != port.data() + port.size())
    throw std::invalid_argument("'" + listen + "': port must be 0-65535");
  if (host == "localhost") host = "127.0.0.1";
  boost::system::error_code addr_ec;
  const auto address = net::ip::make_address(host, addr_ec);
  if (addr_ec) throw std::invalid_argument("'" + listen + "': '" + host + "' is not an IP address");
  return {address, p};
}

status_server::status_server(net::any_io_executor executor, const std::string& listen, metrics& registry,
                             health_probe probe, std::shared_ptr<spdlog::logger> logger)
    : acceptor_(executor), metrics_(registry), probe_(std::move(probe)), logger_(std::move(logger)) {
  const auto endpoint = parse_listen_address(listen);
  boost::system::error_code ec;
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec) throw std::runtime_error("cannot listen on " + listen + ": " + ec.message());
}

unsigned short status_server::port() const { return acceptor_.local_endpoint().port(); }

void status_server::close() {
  boost::system::error_code ignored;
  acceptor_.close(ignored);
}

net::awaitable<void> status_server::run() {
  while (acceptor_.is_open()) {
    auto [ec, socket] = co_await acceptor_.async_accept(net::as_tuple(net::use_awaitable));
    if (ec) {
      if (ec == net::error::operation_aborted || !acceptor_.is_open()) break;
      logger_->warn(log_line("status server accept failed", {{"error", ec.message()}}));
      continue;
    }
    net::co_spawn(acceptor_.get_executor(), serve(std::move(socket)), net::detached);
  }
}

net::awaitable<void> status_server::serve(tcp::socket socket) {
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  try {
    for (;;) {
      stream.expires_after(std::chrono::seconds(30));
      http::request<http::string_body> req;
      co_await http::async_read(stream, buffer, req, net::use_awaitable);
      http::response<http::string_body> res;
      res.version(req.version());
      res.keep_alive(req.keep_alive());
      const auto target = std::string_view(req.target()).substr(0, req.target().find('?'));
      if (req.method() != http::verb::get) {
        res.result(http::status::method_not_allowed);
        res.set(http::field::allow, "GET");
        res.body() = "method not allowed\n";
      } else if (target == "/healthz") {
        const auto health = probe_ ? probe_() : health_report{};
        res.result(health.ok ? http::status::ok : http::status::service_unavailable);
        // Healthy with a detail: "ok", then what an operator may want to look at.
        res.body() =
            health.ok ? (health.detail.empty() ? "ok\n" : "ok\n" + health.detail + "\n") : health.detail + "\n";
      } else if (target == "/metrics") {
        res.result(http::status::ok);
        res.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
        res.body() = metrics_.render();
      } else {
        res.result(http::status::not_found);
        res.body() = "not found: try /healthz or /metrics\n";
      }
      if (res.find(http::field::content_type) == res.end())
        res.set(http::field::content_type, "text/plain; charset=utf-8");
      res.prepare_payload();
      co_await http::async_write(stream, res, net::use_awaitable);
      if (!res.keep_alive()) break;
    }
  } catch (const boost::system::system_error&) {
    // Client went away or timed out: nothing to report.
  }
  boost::system::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
}

}  // namespace ks::service
