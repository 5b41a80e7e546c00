#pragma once
// A deliberately plain, blocking HTTP/1.1 call for tests: one connection per call, no retries.
// Tests use it to talk to the emulator (control endpoints, conformance checks) without going
// through the Kizen client under test.

#include <boost/json/value.hpp>
#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ks::test {

struct http_reply {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;

  // The body parsed as JSON; throws std::runtime_error naming the body if it is not JSON.
  boost::json::value json() const;
  std::string header(const std::string& lower_name) const;
};

using header_list = std::vector<std::pair<std::string, std::string>>;

// base_url: http://host:port. target: path and query, e.g. "/api/records/x/search?page=2".
http_reply http_call(std::string_view base_url, std::string_view method, std::string_view target,
                     std::string_view body = {}, const header_list& headers = {},
                     std::chrono::milliseconds timeout = std::chrono::seconds(30));

}  // namespace ks::test
