#pragma once
// Everything the HTTP layer serves, as one object: the Kintone API behind the concurrency
// limit, fault injection and the request log, and the /__emulator/ control surface. Pure (no
// sockets): the server hands requests in and carries out the returned delivery.
//
// Per /k/ request the server calls arrive() (concurrency check and fault plan), waits out the
// plan's latency, calls handle(), writes the response, then calls depart().

#include <cstdint>
#include <optional>
#include <random>
#include <string>

#include "auth.hpp"
#include "cursors.hpp"
#include "emulator_clock.hpp"
#include "faults.hpp"
#include "http_message.hpp"
#include "kintone_api.hpp"
#include "limits.hpp"
#include "request_log.hpp"
#include "schema.hpp"
#include "store.hpp"

namespace kintone_emulator {

struct app_config {
  std::uint64_t seed = 1;
  std::size_t concurrency_limit = 100;
  std::int64_t daily_limit = 10000;
  std::size_t request_log_limit = 100000;
};

enum class delivery {
  normal,
  drop,   // close the connection without a response (after the request was handled)
  reset,  // reset the connection without a response (before it was handled)
};

struct outcome {
  response res;
  delivery how = delivery::normal;
};

struct ticket {
  bool api = false;      // a /k/ request (counted, faulted, logged)
  bool running = false;  // holds a concurrency slot until depart()
  fault_plan plan;
  std::optional<outcome> early;  // answered at arrival (414, concurrency limit)
};

inline constexpr std::size_t max_url_bytes = 8192;

class application {
 public:
  application(const schema& s, app_config config);

  ticket arrive(const request& req);
  outcome handle(const request& req, const ticket& t);
  void depart(const ticket& t);

  store& records() { return store_; }
  emulator_clock& clock() { return clock_; }
  fault_injector& faults() { return faults_; }
  request_limits& limits() { return limits_; }
  cursor_registry& cursors() { return cursors_; }

 private:
  outcome serve_api(const request& req, const parsed_target& t, const ticket& tk, logged_request& entry);
  response bulk(const api_call& call, const principal& who, logged_request& entry);
  response control(const request& req, const parsed_target& t);
  response control_records(const request& req, const parsed_target& t, const boost::json::object& body);
  response error_response(const api_error& e, language lang);
  void add_concurrency_headers(response& r) const;

  const schema& schema_;
  store store_;
  emulator_clock clock_;
  cursor_registry cursors_;
  request_limits limits_;
  fault_injector faults_;
  request_log log_;
  kintone_api api_;
  std::mt19937_64 error_ids_;
};

}  // namespace kintone_emulator
