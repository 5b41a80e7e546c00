// Connection handling seen from the wire: keep-alive reuse, the max_connections bound, FIFO
// order of queued requests. A counting TCP relay sits between the client and the emulator.

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "tests/integration/kizen/counting_proxy.hpp"
#include "tests/integration/kizen/kizen_env.hpp"

namespace ks::kizen::test {
namespace {

namespace json = boost::json;
namespace net = boost::asio;
using namespace std::chrono_literals;

std::uint16_t port_of(const std::string& base_url) {
  return static_cast<std::uint16_t>(std::stoi(base_url.substr(base_url.rfind(':') + 1)));
}

class kizen_pool : public kizen_env {
 protected:
  counting_proxy proxy_{"127.0.0.1", port_of(emu_.base_url())};

  // Starts `n` lookups at once and runs them all to completion; returns how many succeeded.
  int run_concurrently(client& kizen, int n) {
    int ok = 0;
    for (int i = 0; i < n; ++i) {
      net::co_spawn(
          io_,
          [&kizen, &ok, i]() -> net::awaitable<void> {
            auto r = co_await kizen.lookup_record("companies", "C" + std::to_string(i));
            if (r) ++ok;
          },
          net::detached);
    }
    io_.restart();
    io_.run();
    return ok;
  }
};

TEST_F(kizen_pool, sequential_requests_reuse_one_kept_alive_connection) {
  auto kizen = make_client(settings_for(emu_, proxy_.base_url()));
  for (int i = 0; i < 20; ++i) {
    auto r = run(kizen->lookup_record("client_client", "k" + std::to_string(i) + "@example.com"));
    ASSERT_TRUE(r) << r.error().message;
  }
  EXPECT_EQ(proxy_.accepted(), 1);
  EXPECT_EQ(kizen->stats().connections_opened, 1u);
  EXPECT_EQ(kizen->stats().reused_requests, 19u);
  EXPECT_EQ(requests_log(emu_).at("total").to_number<int>(), 20);
}

TEST_F(kizen_pool, a_connection_is_replaced_after_an_error_and_reuse_resumes) {
  auto kizen = make_client(settings_for(emu_, proxy_.base_url()));
  ASSERT_TRUE(run(kizen->list_objects()));
  set_faults(emu_, {{"reset_rate", 1.0}});
  ASSERT_FALSE(run(kizen->list_objects()));
  set_faults(emu_, {{"reset_rate", 0.0}});
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(run(kizen->list_objects()));
  EXPECT_EQ(proxy_.accepted(), 2);  // one before the reset, one after
}

TEST_F(kizen_pool, max_connections_bounds_what_is_in_flight) {
  auto settings = settings_for(emu_, proxy_.base_url());
  settings.max_connections = 2;
  auto kizen = make_client(settings);
  set_faults(emu_, {{"latency_ms", 150}});
  EXPECT_EQ(run_concurrently(*kizen, 12), 12);
  EXPECT_EQ(proxy_.max_open(), 2);  // two at once, never more
  EXPECT_EQ(proxy_.accepted(), 2);  // and the two were reused for the other ten
  EXPECT_EQ(kizen->stats().max_in_flight, 2u);
  EXPECT_EQ(kizen->stats().in_flight, 0u);
  EXPECT_EQ(kizen->stats().waiting, 0u);
  EXPECT_EQ(requests_log(emu_).at("total").to_number<int>(), 12);
}

TEST_F(kizen_pool, queued_requests_are_served_in_arrival_order) {
  auto settings = settings_for(emu_, proxy_.base_url());
  settings.max_connections = 1;
  auto kizen = make_client(settings);
  EXPECT_EQ(run_concurrently(*kizen, 8), 8);
  const auto log = requests_log(emu_);
  const auto& requests = log.at("requests").as_array();
  ASSERT_EQ(requests.size(), 8u);
  for (std::size_t i = 0; i < requests.size(); ++i) {
    EXPECT_EQ(requests[i].at("query").at("identifier").as_string(), "C" + std::to_string(i)) << i;
  }
  EXPECT_EQ(proxy_.accepted(), 1);
}

// Ten slow pulls queued before one outbound request: the pulls may hold only half of the
// connections (kizen.outbound_share 0.5), so the outbound request goes out at once instead of
// waiting behind them all.
TEST_F(kizen_pool, background_requests_leave_the_outbound_its_share_of_the_connections) {
  auto settings = settings_for(emu_, proxy_.base_url());
  settings.max_connections = 4;
  settings.outbound_share = 0.5;
  auto kizen = make_client(settings);
  auto pulls = kizen->on_lane(request_lane::background);
  set_faults(emu_, {{"latency_ms", 300}});
  int ok = 0;
  auto lookup = [&ok](client& c, std::string name) -> net::awaitable<void> {
    auto r = co_await c.lookup_record("companies", std::move(name));
    if (r) ++ok;
  };
  for (int i = 0; i < 10; ++i) net::co_spawn(io_, lookup(*pulls, "P" + std::to_string(i)), net::detached);
  net::co_spawn(io_, lookup(*kizen, "OUT"), net::detached);
  io_.restart();
  io_.run();
  EXPECT_EQ(ok, 11);
  const auto log = requests_log(emu_);
  const auto& requests = log.at("requests").as_array();
  ASSERT_EQ(requests.size(), 11u);
  std::size_t position = requests.size();
  for (std::size_t i = 0; i < requests.size(); ++i)
    if (requests[i].at("query").at("identifier").as_string() == "OUT") position = i;
  // It runs beside the first two pulls (the emulator logs a request when it answers it); behind
  // them all it would be last. A loaded machine may let a round of pulls pass it, not five.
  EXPECT_LT(position, 6u) << "the outbound request waited behind the pulls";
  EXPECT_LE(proxy_.max_open(), 4);
}

TEST_F(kizen_pool, max_requests_per_second_keeps_the_client_under_the_server_limit) {
  // The emulator refuses more than 12 requests in any rolling second. Unthrottled, 25 parallel
  // lookups on loopback arrive far faster than that; at 5/s (burst 5) no second sees more than 10.
  auto settings = settings_for(emu_, proxy_.base_url());
  settings.max_requests_per_second = 5;
  auto kizen = make_client(settings);
  set_faults(emu_, {{"rate_limit", 12}});
  EXPECT_EQ(run_concurrently(*kizen, 25), 25);
  const auto log = requests_log(emu_);
  EXPECT_EQ(log.at("total").to_number<int>(), 25);
  for (const auto& r : log.at("requests").as_array()) EXPECT_EQ(r.at("status").to_number<int>(), 404) << r;
}

TEST_F(kizen_pool, a_429_pauses_every_request_for_its_retry_after) {
  // The emulator allows 4 requests in any rolling second and answers the rest 429 with
  // Retry-After. Each 429 holds the whole pool until then, so of 12 lookups only about one per
  // second is refused (fired blindly, 8 of the 12 would be).
  auto settings = settings_for(emu_, proxy_.base_url());
  settings.max_requests_per_second = 1000;
  settings.max_connections = 1;
  auto kizen = make_client(settings);
  set_faults(emu_, {{"rate_limit", 4}});
  const int ok = run_concurrently(*kizen, 12);
  int throttled = 0;
  const auto log = requests_log(emu_);
  for (const auto& r : log.at("requests").as_array())
    if (r.at("status").to_number<int>() == 429) ++throttled;
  EXPECT_GE(throttled, 1);
  EXPECT_LE(throttled, 3);
  EXPECT_EQ(ok, 12 - throttled);
  EXPECT_EQ(kizen->stats().throttled, static_cast<std::uint64_t>(throttled));
}

TEST_F(kizen_pool, a_connection_the_server_closed_while_idle_is_not_used) {
  auto kizen = make_client(settings_for(emu_, proxy_.base_url()));
  ASSERT_TRUE(run(kizen->list_objects()));
  ASSERT_EQ(kizen->stats().idle_connections, 1u);
  proxy_.close_all();  // as a server closing its idle keep-alive connections
  auto r = run(kizen->list_objects());
  ASSERT_TRUE(r) << r.error().message;  // sent on a fresh connection, not on the dead one
  EXPECT_EQ(proxy_.accepted(), 2);
  EXPECT_EQ(kizen->stats().connections_discarded, 1u);
}

TEST_F(kizen_pool, connections_idle_longer_than_idle_timeout_are_not_reused) {
  http_pool::options opts;
  opts.idle_timeout = 0ms;
  auto made = client::create(io_.get_executor(), settings_for(emu_, proxy_.base_url()), nullptr, opts);
  ASSERT_TRUE(made);
  auto& kizen = **made;
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(run(kizen.list_objects()));
  EXPECT_EQ(proxy_.accepted(), 3);
  EXPECT_EQ(kizen.stats().reused_requests, 0u);
}

}  // namespace
}  // namespace ks::kizen::test
