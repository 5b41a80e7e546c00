#pragma once
// Small helpers shared by the validator's unit tests: inline documents and violation matchers.

#include <gmock/gmock.h>

#include <boost/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "tests/support/openapi_validator.hpp"

namespace ks::test::openapi_testing {

inline boost::json::value j(std::string_view text) { return boost::json::parse(text); }

// A minimal OpenAPI 3.0 document with the given components.schemas and paths (JSON text).
inline boost::json::value document(std::string_view schemas, std::string_view paths = "{}") {
  std::string text = R"({"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":)";
  text += paths;
  text += R"(,"components":{"schemas":)";
  text += schemas;
  text += "}}";
  return j(text);
}

// Violations of `body` against a one-schema document whose schema "T" is `schema`.
inline std::vector<std::string> check(std::string_view schema, std::string_view body) {
  std::string schemas = R"({"T":)" + std::string(schema) + "}";
  return openapi_validator(document(schemas)).validate_schema(j(body), "T");
}

// Exactly one violation, and it contains `text`.
inline auto only(const std::string& text) { return ::testing::ElementsAre(::testing::HasSubstr(text)); }

inline auto has(const std::string& text) { return ::testing::Contains(::testing::HasSubstr(text)); }

}  // namespace ks::test::openapi_testing
