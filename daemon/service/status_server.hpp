#pragma once
// The daemon's HTTP endpoint (daemon.http_listen): GET /healthz (200 "ok" or 503 with the reason)
// and GET /metrics (Prometheus text). Plain HTTP; bind it to loopback or a private interface.

#include "common/health.hpp"
#include "daemon/service/metrics.hpp"

#include <spdlog/logger.h>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <functional>
#include <memory>
#include <string>

namespace ks::service {

using health_report = ks::health;

class status_server {
 public:
  using health_probe = std::function<health_report()>;

  // Binds at once; throws std::runtime_error naming the address if it cannot
  // ("cannot listen on 127.0.0.1:9464: Address already in use").
  status_server(boost::asio::any_io_executor executor, const std::string& listen, metrics& registry, health_probe probe,
                std::shared_ptr<spdlog::logger> logger);

  unsigned short port() const;
  // Serves connections until close() (or cancellation).
  boost::asio::awaitable<void> run();
  void close();

 private:
  boost::asio::awaitable<void> serve(boost::asio::ip::tcp::socket socket);

  boost::asio::ip::tcp::acceptor acceptor_;
  metrics& metrics_;
  health_probe probe_;
  std::shared_ptr<spdlog::logger> logger_;
};

// "host:port" or "[v6]:port" → endpoint; throws std::invalid_argument with the reason.
boost::asio::ip::tcp::endpoint parse_listen_address(const std::string& listen);

}  // namespace ks::service
