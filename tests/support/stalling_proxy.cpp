#include "tests/support/stalling_proxy.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <chrono>
#include <cstring>
#include <pqxx/pqxx>
#include <stdexcept>

namespace ks::test {

namespace {

bool write_all(int fd, const char* data, std::size_t n) {
  while (n > 0) {
    const auto w = ::send(fd, data, n, MSG_NOSIGNAL);
    if (w <= 0) return false;
    data += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}

int connect_unix(const std::string& path) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

}  // namespace

std::string stalling_proxy::server_socket(const std::string& database_url) {
  pqxx::connection c(database_url);
  pqxx::nontransaction tx(c);
  const auto dirs = tx.exec1("SHOW unix_socket_directories")[0].as<std::string>();
  const auto port = tx.exec1("SHOW port")[0].as<std::string>();
  const auto first = dirs.substr(0, dirs.find(','));
  if (first.empty()) return "";
  return first + "/.s.PGSQL." + port;
}

stalling_proxy::stalling_proxy(std::string unix_socket) : target_(std::move(unix_socket)) {
  listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
  const int one = 1;
  ::setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listener_, 64) != 0)
    throw std::runtime_error("stalling_proxy: cannot listen on loopback");
  socklen_t len = sizeof addr;
  ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { accept_loop(); });
}

stalling_proxy::~stalling_proxy() {
  stopping_ = true;
  acceptor_.join();
  ::close(listener_);
  std::lock_guard lock(mutex_);
  for (auto& t : pumps_) t.join();
}

void stalling_proxy::accept_loop() {
  while (!stopping_) {
    pollfd p{listener_, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    const int client = ::accept(listener_, nullptr, nullptr);
    if (client < 0) continue;
    const int server = connect_unix(target_);
    if (server < 0) {
      ::close(client);
      continue;
    }
    std::lock_guard lock(mutex_);
    pumps_.emplace_back([this, client, server] { pump(client, server); });
  }
}

void stalling_proxy::pump(int client, int server) {
  char buf[64 * 1024];
  while (!stopping_) {
    if (stalled_) {  // hold everything: read nothing, write nothing, close nothing
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      continue;
    }
    pollfd p[2] = {{client, POLLIN, 0}, {server, POLLIN, 0}};
    if (::poll(p, 2, 50) <= 0) continue;
    bool open = true;
    for (int i = 0; i < 2 && open; ++i) {
      if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      const int from = i == 0 ? client : server;
      const int to = i == 0 ? server : client;
      const auto n = ::recv(from, buf, sizeof buf, 0);
      open = n > 0 && write_all(to, buf, static_cast<std::size_t>(n));
    }
    if (!open) break;
  }
  ::close(client);
  ::close(server);
}

}  // namespace ks::test
