#pragma once
// Shared fixture of the conformance suite: a fresh emulator per test, and calls that check each
// reply's shape against what Kintone sends before the test looks at it.

#include <gtest/gtest.h>
#include <boost/json.hpp>
#include <memory>
#include <string>
#include <string_view>

#include "tests/support/http_call.hpp"
#include "tests/support/kintone_emulator_process.hpp"

namespace kintone_emulator::conformance {

namespace json = boost::json;

// Tokens of tests/kintone_emulator/schemas/default.yaml.
inline constexpr const char* customers_full = "customers-full";
inline constexpr const char* customers_view = "customers-view";

// Kintone's shapes: JSON with X-ConcurrencyLimit-* headers on /k/ answers; error bodies with
// string code, id and message, and `errors` (when present) as {key: {"messages": [string]}}.
void check_shape(std::string_view method, std::string_view target, const ks::test::http_reply& r);

class kintone_test : public ::testing::Test {
 protected:
  void SetUp() override { restart({}); }
  void TearDown() override { emulator_.reset(); }
  void restart(std::vector<std::string> extra_args);

  // A /k/ call with these headers (default: the customers-full token); JSON bodies for
  // POST/PUT, and for GET/DELETE when given.
  ks::test::http_reply call(std::string_view method, std::string_view target, const json::value& body = nullptr,
                            ks::test::header_list headers = {{"X-Cybozu-API-Token", customers_full}});
  // A /__emulator/ call (no auth).
  ks::test::http_reply control(std::string_view method, std::string_view target, const json::value& body = nullptr);

  // Adds a customer (asserting 200) and returns its id.
  std::string add_customer(const std::string& code, const std::string& name, json::object more = {});
  json::object get_record(std::int64_t app, const std::string& id);
  static std::string code_of(const ks::test::http_reply& r);
  // The keys of `errors` in an error body.
  static std::vector<std::string> error_keys(const ks::test::http_reply& r);

  const std::string& base_url() const { return emulator_->base_url(); }
  ks::test::kintone_emulator_process& process() { return *emulator_; }

  std::unique_ptr<ks::test::kintone_emulator_process> emulator_;
};

// {"<code>": {"value": v}, ...}
json::object record_of(std::initializer_list<std::pair<std::string_view, json::value>> fields);

}  // namespace kintone_emulator::conformance
