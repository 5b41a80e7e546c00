#pragma once
// Shared fixture of the conformance suite: a fresh emulator per test, and calls that check every
// response body they receive against the contract before the test looks at it.

#include <gtest/gtest.h>
#include <boost/json.hpp>
#include <memory>
#include <string>
#include <string_view>

#include "tests/support/emulator_process.hpp"
#include "tests/support/http_call.hpp"
#include "tests/support/openapi_validator.hpp"

namespace kizen_emulator::conformance {

namespace json = boost::json;

// Ids fixed by tests/emulator/schemas/default.yaml.
struct default_schema_ids {
  static constexpr const char* contacts_object = "3ceaaf30-8142-48ea-91d9-3080f9b439fc";
};

// Checks a body the contract does not document (401/403/404/405/429, 400 bodies of endpoints
// without a documented 400, the metadata endpoints, unarchive) against API-NOTES.md shapes.
// Adds a gtest failure naming the call for each problem.
void check_undocumented(std::string_view method, std::string_view target, const ks::test::http_reply& r);

// Checks a reply against the contract (documented statuses) or check_undocumented.
void check_reply(std::string_view method, std::string_view target, const ks::test::http_reply& r);

class emulator_test : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override { emulator_.reset(); }
  // Starts the emulator with extra command-line arguments (tests that need flags call this first).
  void restart(std::vector<std::string> extra_args);

  // An /api/ call with the right credentials, its body checked against the contract.
  ks::test::http_reply api(std::string_view method, std::string_view target, const json::value& body = nullptr);
  ks::test::http_reply api_raw(std::string_view method, std::string_view target, std::string_view body,
                               const ks::test::header_list& headers);
  // A /__emulator/ call (no auth); the body must be JSON unless 204.
  ks::test::http_reply control(std::string_view method, std::string_view target, const json::value& body = nullptr);

  // Helpers on top of api(): each asserts the expected status.
  json::object add(std::string_view object, const json::array& fields);
  json::object get(std::string_view object, std::string_view id);
  json::object search(std::string_view object, const json::value& body, std::string_view query = "");

  // The field entry of a record by API name (nullptr if absent).
  static const json::object* field(const json::object& record, std::string_view name);
  static json::value value_of(const json::object& record, std::string_view name);

  ks::test::header_list auth_headers() const;
  const std::string& base_url() const { return emulator_->base_url(); }
  ks::test::emulator_process& process() { return *emulator_; }

  std::unique_ptr<ks::test::emulator_process> emulator_;
};

json::array fields_of(std::initializer_list<std::pair<std::string_view, json::value>> items);

}  // namespace kizen_emulator::conformance
