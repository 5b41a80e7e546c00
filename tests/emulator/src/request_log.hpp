#pragma once
// The log of /api/ requests that tests read through /__emulator/requests: one entry per request
// (bounded; the oldest go first) and cumulative counts per "METHOD path-template".

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <deque>
#include <map>
#include <string>

namespace kizen_emulator {

struct logged_request {
  std::uint64_t seq = 0;
  std::string method;
  std::string path;
  std::string path_template;
  boost::json::object query;
  boost::json::value body;  // parsed JSON, the raw text if not JSON, null if empty
  int status = 0;
  std::string fault;  // "", "fail", "throttle", "drop_response", "reset"
  std::string at;     // ISO time received
};

class request_log {
 public:
  explicit request_log(std::size_t limit) : limit_(limit) {}

  void add(logged_request entry);
  void clear();
  // {"total": N, "requests": [...entries with seq > since...], "counts": {"GET /api/...": n}}
  boost::json::object to_json(std::uint64_t since = 0) const;
  std::uint64_t total() const { return next_seq_ - 1; }

 private:
  std::size_t limit_;
  std::uint64_t next_seq_ = 1;
  std::deque<logged_request> entries_;
  std::map<std::string, std::uint64_t> counts_;
};

}  // namespace kizen_emulator
