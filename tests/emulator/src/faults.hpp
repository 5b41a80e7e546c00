#pragma once
// Fault injection decisions for /api/ requests. Every request draws the same number of random
// numbers from one generator seeded by --seed, so a run with the same request sequence gets the
// same faults.

#include <boost/json/object.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <random>
#include <string>

#include "common/result.hpp"

namespace kizen_emulator {

struct fault_settings {
  double fail_rate = 0;           // fraction answered 500/502/503 (nothing applied)
  std::uint32_t rate_limit = 0;   // requests per rolling second; 0 = unlimited
  std::uint32_t latency_ms = 0;   // added before each request is handled
  double reset_rate = 0;          // fraction whose response is cut off with a TCP reset
  double drop_response_rate = 0;  // fraction of writes applied, then closed without a response
  // Search lags behind writes by this much, as Kizen's does: a record added within the lag is not
  // found yet, one archived within it is still found (field edits show at once).
  std::uint32_t search_lag_ms = 0;

  boost::json::object to_json() const;
  // Merges the keys present in `body` (underscore or dash spelling); unknown keys are errors.
  ks::result<fault_settings, std::string> merged(const boost::json::object& body) const;
};

struct fault_decision {
  int fail_status = 0;     // 500, 502 or 503 when failing
  bool throttled = false;  // answer 429
  int retry_after_s = 0;
  bool reset = false;  // cut the response off with a reset
  bool drop = false;   // apply, then close without a response (writes only)
};

class fault_injector {
 public:
  explicit fault_injector(std::uint64_t seed) : seed_(seed), rng_(seed) {}

  const fault_settings& settings() const { return settings_; }
  void configure(const fault_settings& s) { settings_ = s; }
  void reseed(std::uint64_t seed) {
    seed_ = seed;
    rng_.seed(seed);
  }
  std::uint64_t seed() const { return seed_; }
  // Faults off, generator and rate window back to the start.
  void reset() {
    settings_ = {};
    rng_.seed(seed_);
    window_.clear();
  }

  fault_decision decide(std::chrono::steady_clock::time_point now, bool is_write);

 private:
  double draw() { return std::uniform_real_distribution<double>(0.0, 1.0)(rng_); }

  fault_settings settings_;
  std::uint64_t seed_;
  std::mt19937_64 rng_;
  std::deque<std::chrono::steady_clock::time_point> window_;  // accepted requests, last second
};

}  // namespace kizen_emulator
