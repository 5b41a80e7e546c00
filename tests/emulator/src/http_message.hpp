#pragma once
// Transport-free requests and responses, so everything above the HTTP layer is plain functions
// that unit tests call directly.

#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kizen_emulator {

struct request {
  std::string method;  // upper case, e.g. "PATCH"
  std::string target;  // origin form: path and query
  std::string host;    // Host header ("" if absent)
  std::string body;
  std::optional<std::string> api_key, business_id, user_id;  // X-API-KEY, X-BUSINESS-ID, X-USER-ID
};

struct response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  static response json(int status, const boost::json::value& body);
  static response detail(int status, std::string_view message);  // {"detail": message}
  static response not_found() { return detail(404, "Not found."); }
};

// The target split into decoded path segments and query parameters.
struct parsed_target {
  bool valid = false;
  std::string path;
  std::vector<std::string> segments;  // without the leading empty one; a trailing "/" is dropped
  std::vector<std::pair<std::string, std::string>> params;

  std::optional<std::string> param(std::string_view name) const;  // the last occurrence
};

parsed_target parse_target(std::string_view target);

// true/false/1/0/yes/no (any case); nullopt when absent or unrecognised.
std::optional<bool> parse_flag(const std::optional<std::string>& text);

std::string percent_encode(std::string_view text);

}  // namespace kizen_emulator
