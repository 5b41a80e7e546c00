#pragma once
// Wakes the daemon when a capture trigger commits: LISTEN on the sync schema's channel
// (notify_channel) on a dedicated connection whose socket Asio watches, so no thread blocks.
// The blocking parts (connect, LISTEN) run on a private one-thread pool, never on the Asio thread.
//
//   ks::pg::change_listener listener(io.get_executor(), url, ks::pg::notify_channel(schema), log);
//   children.spawn("listener", listener.run([&](std::string_view object) { worker.wake(); }, stop));
//
// on_notify receives each notification's payload (the object whose table changed), and "" right
// after every (re)connect: notifications sent while disconnected are lost, so the caller re-polls.
// A dropped connection is re-established with bounded exponential backoff, forever, until a stop
// is requested (run() then returns normally). The listener must outlive run().

#include "common/backoff.hpp"
#include "connectors/postgres/connection_settings.hpp"

#include <spdlog/logger.h>
#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <stop_token>
#include <string>
#include <string_view>

namespace ks::pg {

struct change_listener_options {
  std::string application_name = "kizen-sync listener";
  std::chrono::seconds connect_timeout{10};
  // TCP keepalive idle time: a peer that vanished without closing the connection is noticed
  // after about 4x this (idle + 3 probes).
  std::chrono::seconds keepalive_idle{30};
  backoff_settings reconnect{std::chrono::milliseconds(100), std::chrono::milliseconds(30'000)};
};

class change_listener {
 public:
  change_listener(boost::asio::any_io_executor executor, std::string url, std::string channel,
                  std::shared_ptr<spdlog::logger> logger, change_listener_options options = {});
  ~change_listener();
  change_listener(const change_listener&) = delete;
  change_listener& operator=(const change_listener&) = delete;

  // Listens until `stop` is requested (on the executor's thread). Exceptions thrown by on_notify
  // propagate. Call at most once at a time.
  boost::asio::awaitable<void> run(std::function<void(std::string_view payload)> on_notify, std::stop_token stop);

  // Successful connections so far (for status and tests); readable from any thread.
  std::uint64_t connections() const { return connections_.load(); }

 private:
  boost::asio::any_io_executor executor_;
  connection_settings settings_;
  std::string channel_;
  std::shared_ptr<spdlog::logger> logger_;
  change_listener_options options_;
  boost::asio::thread_pool blocking_{1};  // connect and LISTEN block: they run here
  std::atomic<std::uint64_t> connections_{0};
};

}  // namespace ks::pg
