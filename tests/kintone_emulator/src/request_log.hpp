#pragma once
// The log of /k/ requests that tests read through /__emulator/requests: one entry per request
// (bounded; the oldest go first) and cumulative counts per "METHOD endpoint".

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <deque>
#include <map>
#include <string>

namespace kintone_emulator {

struct logged_request {
  std::uint64_t seq = 0;
  std::string method;     // as sent
  std::string effective;  // after X-HTTP-Method-Override
  std::string path;
  std::string endpoint;     // e.g. "/k/v1/records.json" (the guest prefix removed)
  std::int64_t app = 0;     // 0 when none was resolved
  boost::json::value body;  // parsed JSON, the raw text if not JSON, null if empty
  int status = 0;           // 0: no answer was sent (reset)
  std::string code;         // Kintone error code, "" on success
  std::string fault;        // "", latency, reset, error, drop_response, db_lock, concurrency
  std::string at;
};

class request_log {
 public:
  explicit request_log(std::size_t limit) : limit_(limit) {}

  void add(logged_request entry);
  void clear();
  boost::json::object to_json(std::uint64_t since = 0) const;

 private:
  std::size_t limit_;
  std::uint64_t next_seq_ = 1;
  std::deque<logged_request> entries_;
  std::map<std::string, std::uint64_t> counts_;
};

}  // namespace kintone_emulator
