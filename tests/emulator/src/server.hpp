#pragma once
// The HTTP(S) layer: Beast on one io_context, a coroutine per keep-alive connection. It turns
// Beast messages into `request`s, waits out injected latency with a timer, and carries out the
// delivery the application chose (normal, dropped, reset mid-response).

#include <spdlog/logger.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string>

#include "application.hpp"

namespace kizen_emulator {

class server {
 public:
  // tls: nullptr for plain HTTP. Throws boost::system::system_error if it cannot listen.
  server(boost::asio::io_context& io, application& app, const std::string& host, std::uint16_t port,
         std::shared_ptr<boost::asio::ssl::context> tls, std::shared_ptr<spdlog::logger> log);

  std::uint16_t port() const { return port_; }
  void start();
  void stop();

 private:
  boost::asio::io_context& io_;
  application& app_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  std::shared_ptr<spdlog::logger> log_;
  std::uint16_t port_ = 0;
};

}  // namespace kizen_emulator
