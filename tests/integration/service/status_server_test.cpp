// The status server over a real socket: /healthz follows the health probe, /metrics renders the
// registry, anything else is 404, and a taken port is a clear error.
#include "daemon/service/status_server.hpp"

#include "daemon/service/logging.hpp"
#include "tests/support/http_call.hpp"

#include <gtest/gtest.h>
#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <thread>

namespace net = boost::asio;
using namespace ks::service;

namespace {

struct running_server {
  net::io_context io;
  metrics registry;
  std::atomic<bool> healthy{true};
  std::atomic<bool> with_failures{false};
  status_server server{io.get_executor(), "127.0.0.1:0", registry,
                       [this] {
                         if (!healthy) return health_report{false, "postgres unreachable"};
                         if (with_failures) return health_report{true, "contacts: 2 Kizen records not applied"};
                         return health_report{true, ""};
                       },
                       make_logger("status-test")};
  std::thread thread;
  running_server() {
    net::co_spawn(io, server.run(), net::detached);
    thread = std::thread([this] { io.run(); });
  }
  ~running_server() {
    net::post(io, [this] { server.close(); });
    thread.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(server.port()); }
};

}  // namespace

TEST(status_server, healthz_follows_the_probe) {
  running_server s;
  auto ok = ks::test::http_call(s.url(), "GET", "/healthz");
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body, "ok\n");
  s.healthy = false;
  auto bad = ks::test::http_call(s.url(), "GET", "/healthz");
  EXPECT_EQ(bad.status, 503);
  EXPECT_EQ(bad.body, "postgres unreachable\n");
}

TEST(status_server, healthy_with_something_to_look_at_says_ok_then_what) {
  running_server s;
  s.with_failures = true;
  auto r = ks::test::http_call(s.url(), "GET", "/healthz");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "ok\ncontacts: 2 Kizen records not applied\n");
}

TEST(status_server, metrics_render_the_registry) {
  running_server s;
  s.registry.describe("kizen_sync_backlog", metrics::kind::gauge, "Pending changes.");
  s.registry.set("kizen_sync_backlog", {{"object", "deals"}}, 3);
  auto r = ks::test::http_call(s.url(), "GET", "/metrics");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.header("content-type").find("text/plain; version=0.0.4"), std::string::npos);
  EXPECT_NE(r.body.find("kizen_sync_backlog{object=\"deals\"} 3\n"), std::string::npos);
}

TEST(status_server, unknown_paths_and_methods) {
  running_server s;
  EXPECT_EQ(ks::test::http_call(s.url(), "GET", "/nope").status, 404);
  EXPECT_EQ(ks::test::http_call(s.url(), "POST", "/metrics", "{}").status, 405);
}

TEST(status_server, a_taken_port_is_a_clear_error) {
  running_server s;
  net::io_context io;
  metrics m;
  try {
    status_server second(io.get_executor(), "127.0.0.1:" + std::to_string(s.server.port()), m, {},
                         make_logger("status-test"));
    FAIL() << "second bind succeeded";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot listen on 127.0.0.1:"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("in use"), std::string::npos);
  }
}
