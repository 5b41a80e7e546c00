#pragma once
// A TCP relay between the client under test and the emulator that counts connections: how many
// were accepted and how many were open at once. It sees the wire, not the client's own
// counters, so keep-alive reuse and the max_connections bound are checked from outside.

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

namespace ks::kizen::test {

class counting_proxy {
 public:
  // Listens on 127.0.0.1 (a free port) and relays every connection to target_host:target_port.
  counting_proxy(std::string target_host, std::uint16_t target_port);
  ~counting_proxy();
  counting_proxy(const counting_proxy&) = delete;
  counting_proxy& operator=(const counting_proxy&) = delete;

  std::uint16_t port() const { return port_; }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // Closes every relayed connection at both ends (as a server dropping idle keep-alive
  // connections would) and returns once that is done.
  void close_all();

  int accepted() const { return accepted_.load(); }
  int open_now() const { return open_.load(); }
  int max_open() const { return max_open_.load(); }

 private:
  void accept_next();

  struct state;
  std::shared_ptr<state> state_;
  std::uint16_t port_ = 0;
  std::thread thread_;
  std::atomic<int> accepted_{0};
  std::atomic<int> open_{0};
  std::atomic<int> max_open_{0};
};

}  // namespace ks::kizen::test
