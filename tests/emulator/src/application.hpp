#pragma once
// Everything the HTTP layer serves, as one object: the records API behind fault injection and the
// request log, and the /__emulator/ control surface. Pure (no sockets): the server passes requests
// in and carries out the returned delivery.

#include <chrono>
#include <cstdint>
#include <string>

#include "emulator_clock.hpp"
#include "faults.hpp"
#include "http_message.hpp"
#include "records_api.hpp"
#include "request_log.hpp"
#include "schema.hpp"
#include "store.hpp"

namespace kizen_emulator {

struct app_config {
  credentials creds;
  std::string scheme = "http";
  std::uint64_t seed = 1;
  fault_settings faults;
  std::size_t request_log_limit = 100000;
};

enum class delivery {
  normal,
  drop,   // close the connection without sending the response
  reset,  // send part of the response, then reset the connection
};

struct outcome {
  response res;
  delivery how = delivery::normal;
};

class application {
 public:
  application(const schema& s, app_config config);

  // Added latency to wait (without blocking) before handle(); 0 outside /api/.
  std::uint32_t latency_for(const request& req) const;
  outcome handle(const request& req, std::chrono::steady_clock::time_point now = std::chrono::steady_clock::now());

  store& records() { return store_; }
  emulator_clock& clock() { return clock_; }
  fault_injector& faults() { return faults_; }

 private:
  response control(const request& req, const parsed_target& t);

  store store_;
  emulator_clock clock_;
  fault_injector faults_;
  request_log log_;
  records_api api_;
};

// Whether a request to /api/ writes (POST add/upsert, PUT, PATCH, DELETE; search is a read).
bool is_write_request(const request& req, const parsed_target& t);

}  // namespace kizen_emulator
