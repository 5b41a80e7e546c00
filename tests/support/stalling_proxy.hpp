#pragma once
// A TCP proxy on loopback in front of PostgreSQL's Unix socket that can stop moving bytes while
// every connection stays open: what a hung server or a network that drops packets looks like from
// the client (no error, no answer). Threads and poll(); for tests only.
//
//   stalling_proxy proxy(socket_path);              // postgresql://user@127.0.0.1:PORT/db
//   proxy.stall(); ... proxy.resume();

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace ks::test {

class stalling_proxy {
 public:
  // `unix_socket`: the server's socket file, e.g. /tmp/ks-pg.X/.s.PGSQL.5432.
  explicit stalling_proxy(std::string unix_socket);
  ~stalling_proxy();
  stalling_proxy(const stalling_proxy&) = delete;
  stalling_proxy& operator=(const stalling_proxy&) = delete;

  std::uint16_t port() const { return port_; }
  // Bytes stop moving both ways, on open connections and new ones alike; nothing is closed.
  void stall() { stalled_ = true; }
  void resume() { stalled_ = false; }

  // The Unix socket file of the server `database_url` connects to (asked from the server), or ""
  // when it has none.
  static std::string server_socket(const std::string& database_url);

 private:
  void accept_loop();
  void pump(int client, int server);

  std::string target_;
  int listener_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stalled_{false};
  std::atomic<bool> stopping_{false};
  std::thread acceptor_;
  std::mutex mutex_;
  std::vector<std::thread> pumps_;
};

}  // namespace ks::test
