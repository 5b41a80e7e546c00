#pragma once
// Shared set-up of the Kizen client integration tests: an emulator process, an io_context, and
// a client configured for it; plus helpers to run a coroutine to completion and to drive the
// emulator's control API.

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <memory>
#include <sstream>
#include <string>

#include "common/log_line.hpp"
#include "connectors/kizen/client.hpp"
#include "tests/support/emulator_process.hpp"
#include "tests/support/http_call.hpp"

namespace ks::kizen::test {

// Ids fixed by the emulator's default schema (tests/emulator/schemas/default.yaml).
inline constexpr const char* contacts_object_id = "3ceaaf30-8142-48ea-91d9-3080f9b439fc";
inline constexpr const char* companies_object_id = "bafe9bd1-20c5-4152-9127-c47089bf36a2";
inline constexpr const char* contact_external_id_field = "b120a366-f0bb-49cf-82f2-dc05873f9bd0";
inline constexpr const char* company_contacts_field = "9e450909-a8d1-4dea-9ddf-c65e144b2080";

// Runs one coroutine on `io` until it is done and returns its value. (use_future would need
// a default-constructible T, which ks::result is not.)
template <class T>
T run(boost::asio::io_context& io, boost::asio::awaitable<T> op) {
  std::optional<T> out;
  std::exception_ptr failure;
  boost::asio::co_spawn(
      io, [&]() -> boost::asio::awaitable<void> { out.emplace(co_await std::move(op)); },
      [&](std::exception_ptr e) { failure = e; });
  io.restart();
  io.run();
  if (failure) std::rethrow_exception(failure);
  return std::move(*out);
}

inline client_settings settings_for(const ks::test::emulator_process& emu, std::string base_url = {}) {
  client_settings s;
  s.base_url = base_url.empty() ? emu.base_url() : base_url;
  s.api_key = emu.options().api_key;
  s.business_id = emu.options().business_id;
  s.user_id = emu.options().user_id;
  s.request_timeout = std::chrono::seconds(20);
  s.max_connections = 4;
  s.max_requests_per_second = 0;  // unlimited: tests are not about throttling unless they say so
  return s;
}

// A logger writing JSON lines into a string, at debug level.
struct captured_log {
  std::ostringstream out;
  std::shared_ptr<spdlog::logger> logger;
  captured_log() {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
    logger = std::make_shared<spdlog::logger>("kizen-test", sink);
    logger->set_pattern(ks::json_log_pattern);
    logger->set_level(spdlog::level::debug);
    logger->flush_on(spdlog::level::trace);
  }
  std::string text() const { return out.str(); }
};

// The emulator's control API.
inline void set_faults(const ks::test::emulator_process& emu, boost::json::object faults) {
  const auto reply = ks::test::http_call(emu.base_url(), "PUT", "/__emulator/faults", boost::json::serialize(faults));
  ASSERT_EQ(reply.status, 200) << reply.body;
}

inline boost::json::value requests_log(const ks::test::emulator_process& emu) {
  return ks::test::http_call(emu.base_url(), "GET", "/__emulator/requests").json();
}

inline boost::json::value state_dump(const ks::test::emulator_process& emu) {
  return ks::test::http_call(emu.base_url(), "GET", "/__emulator/state").json();
}

class kizen_env : public ::testing::Test {
 protected:
  explicit kizen_env(ks::test::emulator_options options = {}) : emu_(std::move(options)) {}

  std::unique_ptr<client> make_client(client_settings s, std::shared_ptr<spdlog::logger> logger = nullptr) {
    auto made = client::create(io_.get_executor(), s, std::move(logger));
    EXPECT_TRUE(made) << made.error().message;
    return made ? std::move(*made) : nullptr;
  }
  std::unique_ptr<client> make_client() { return make_client(settings_for(emu_)); }

  template <class T>
  T run(boost::asio::awaitable<T> op) {
    return test::run(io_, std::move(op));
  }

  ks::test::emulator_process emu_;
  boost::asio::io_context io_;
};

}  // namespace ks::kizen::test
