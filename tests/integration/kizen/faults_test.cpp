// Failures injected by kizen-emulator (429, 5xx, resets, dropped responses, latency beyond the
// deadline) come back as the right retryable errors, and the client recovers afterwards.

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "tests/integration/kizen/kizen_env.hpp"

namespace ks::kizen::test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

class kizen_faults : public kizen_env {};

TEST_F(kizen_faults, throttling_is_a_retryable_429_with_retry_after) {
  auto kizen = make_client();
  set_faults(emu_, {{"rate_limit", 1}});
  std::optional<error> throttled;
  // At most one request per rolling second passes: one of the next few is refused.
  for (int i = 0; i < 50 && !throttled; ++i) {
    auto r = run(kizen->lookup_record("client_client", "x@example.com"));
    if (!r) throttled = r.error();
  }
  ASSERT_TRUE(throttled);
  EXPECT_EQ(throttled->kind, error_kind::http);
  EXPECT_EQ(throttled->http_status, 429);
  EXPECT_TRUE(throttled->retryable);
  ASSERT_TRUE(throttled->retry_after);
  EXPECT_GE(*throttled->retry_after, 1000ms);
  EXPECT_LE(*throttled->retry_after, 60000ms);
}

TEST_F(kizen_faults, server_errors_are_retryable_and_nothing_is_applied) {
  auto kizen = make_client();
  set_faults(emu_, {{"fail_rate", 1.0}});
  for (int i = 0; i < 6; ++i) {
    auto r = run(kizen->upsert_record("client_client", "f" + std::to_string(i) + "@example.com", {}));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, error_kind::http);
    EXPECT_TRUE(r.error().http_status == 500 || r.error().http_status == 502 || r.error().http_status == 503)
        << r.error().message;
    EXPECT_TRUE(r.error().retryable);
  }
  set_faults(emu_, {{"fail_rate", 0.0}});
  EXPECT_TRUE(state_dump(emu_).at("objects").at("client_client").as_array().empty());
  auto ok = run(kizen->upsert_record("client_client", "f0@example.com", {}));
  EXPECT_TRUE(ok) << ok.error().message;
}

TEST_F(kizen_faults, connection_resets_are_retryable_network_errors) {
  auto kizen = make_client();
  set_faults(emu_, {{"reset_rate", 1.0}});
  for (int i = 0; i < 3; ++i) {
    auto r = run(kizen->lookup_record("client_client", "x@example.com"));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, error_kind::network) << r.error().message;
    EXPECT_TRUE(r.error().retryable);
    EXPECT_EQ(r.error().http_status, 0);
  }
  set_faults(emu_, {{"reset_rate", 0.0}});
  auto ok = run(kizen->lookup_record("client_client", "x@example.com"));
  EXPECT_TRUE(ok) << ok.error().message;
  // Each failed request cost its connection; nothing broken went back to the pool.
  EXPECT_GE(kizen->stats().connections_discarded, 3u);
}

TEST_F(kizen_faults, a_dropped_response_is_a_retryable_network_error_although_the_write_happened) {
  auto kizen = make_client();
  set_faults(emu_, {{"drop_response_rate", 1.0}});
  auto r = run(kizen->upsert_record("client_client", "dropped@example.com", {field_write::set("first_name", "D")}));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, error_kind::network) << r.error().message;
  EXPECT_TRUE(r.error().retryable);
  set_faults(emu_, {{"drop_response_rate", 0.0}});
  // The write was applied: this is why the daemon upserts, or searches before re-adding.
  auto found = run(kizen->lookup_record("client_client", "dropped@example.com"));
  ASSERT_TRUE(found) << found.error().message;
  EXPECT_TRUE(found->has_value());
  auto again = run(kizen->upsert_record("client_client", "dropped@example.com", {field_write::set("first_name", "D")}));
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_FALSE(again->created);
}

TEST_F(kizen_faults, latency_beyond_the_deadline_is_a_retryable_timeout_and_the_late_answer_is_never_used) {
  auto settings = settings_for(emu_);
  settings.request_timeout = 300ms;
  auto kizen = make_client(settings);
  auto first = run(kizen->upsert_record("companies", "Slow Co", {}));
  ASSERT_TRUE(first) << first.error().message;
  auto second = run(kizen->upsert_record("companies", "Fast Co", {}));
  ASSERT_TRUE(second) << second.error().message;

  set_faults(emu_, {{"latency_ms", 3000}});
  auto r = run(kizen->lookup_record("companies", "Slow Co"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, error_kind::timeout) << r.error().message;
  EXPECT_TRUE(r.error().retryable);

  set_faults(emu_, {{"latency_ms", 0}});
  // The timed-out connection was discarded: this answer is Fast Co's, not Slow Co's late one.
  auto fast = run(kizen->lookup_record("companies", "Fast Co"));
  ASSERT_TRUE(fast) << fast.error().message;
  ASSERT_TRUE(fast->has_value());
  EXPECT_EQ((*fast)->id, second->rec.id);
}

TEST_F(kizen_faults, a_refused_connection_is_a_retryable_network_error) {
  auto settings = settings_for(emu_);
  emu_.stop();
  auto kizen = make_client(settings);
  auto r = run(kizen->list_objects());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, error_kind::network) << r.error().message;
  EXPECT_TRUE(r.error().retryable);
  EXPECT_NE(r.error().message.find("connect to 127.0.0.1"), std::string::npos) << r.error().message;
}

TEST_F(kizen_faults, cancelling_a_call_reports_cancelled_and_frees_its_slot) {
  auto settings = settings_for(emu_);
  settings.max_connections = 1;
  auto kizen = make_client(settings);
  set_faults(emu_, {{"latency_ms", 5000}});
  std::optional<result<std::vector<object_info>, error>> outcome;
  const int winner = run([&]() -> boost::asio::awaitable<int> {
    using namespace boost::asio::experimental::awaitable_operators;
    auto call = [&]() -> boost::asio::awaitable<void> { outcome.emplace(co_await kizen->list_objects()); };
    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, 200ms);
    auto v = co_await (call() || timer.async_wait(boost::asio::use_awaitable));
    co_return static_cast<int>(v.index());
  }());
  EXPECT_EQ(winner, 1);  // the timer won and the call was cancelled
  ASSERT_TRUE(outcome);
  ASSERT_FALSE(*outcome);
  EXPECT_EQ(outcome->error().kind, error_kind::cancelled) << outcome->error().message;
  EXPECT_FALSE(outcome->error().retryable);
  set_faults(emu_, {{"latency_ms", 0}});
  EXPECT_EQ(kizen->stats().in_flight, 0u);
  auto after = run(kizen->list_objects());  // the single slot is free again
  EXPECT_TRUE(after) << after.error().message;
}

}  // namespace
}  // namespace ks::kizen::test
