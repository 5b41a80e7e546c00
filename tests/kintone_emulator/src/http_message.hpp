#pragma once
// Transport-free requests and responses, so that everything above the HTTP layer is plain
// functions that unit tests call without sockets.

#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kintone_emulator {

using header_list = std::vector<std::pair<std::string, std::string>>;

struct request {
  std::string method;   // upper case, as sent
  std::string target;   // origin form: path and query
  header_list headers;  // names in lower case
  std::string body;

  std::optional<std::string> header(std::string_view lower_name) const;
};

struct response {
  int status = 200;
  std::string content_type = "application/json;charset=utf-8";
  std::string body;
  header_list headers;

  static response json(int status, const boost::json::value& body);
  static response html(int status, std::string_view title);
  std::optional<std::string> header(std::string_view name) const;
};

// The target split into decoded path segments and query parameters.
struct parsed_target {
  bool valid = false;
  std::string path;                                         // decoded
  std::vector<std::string> segments;                        // without the leading empty one; a trailing "/" is dropped
  std::vector<std::pair<std::string, std::string>> params;  // decoded, in order

  std::optional<std::string> param(std::string_view name) const;  // the last occurrence
};

parsed_target parse_target(std::string_view target);

std::string base64_decode(std::string_view text, bool& ok);

}  // namespace kintone_emulator
