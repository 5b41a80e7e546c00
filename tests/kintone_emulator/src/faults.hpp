#pragma once
// Fault injection for /k/ requests, by rule: what (latency, reset, error, drop_response,
// db_lock), where (method and path, empty = any), how often (the next `count` matches, and/or
// with `probability`). Every request draws one number per rule from one generator seeded by
// --seed, whatever the rules say, so the same requests get the same faults run after run.

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "common/result.hpp"

namespace kintone_emulator {

enum class fault_kind {
  latency,        // wait latency_ms before handling (the request counts as running meanwhile)
  reset,          // reset the connection before handling: nothing applied, no response
  error,          // answer `status` (default 503) without handling: an HTML gateway page, or a
                  // Kintone error body when `code` is given
  drop_response,  // handle (a write commits), then close the connection without a response
  db_lock,        // answer GAIA_RE18 (or `code`, e.g. GAIA_DA02) with `status` (default 400), nothing applied
};

struct fault_rule {
  fault_kind kind = fault_kind::error;
  std::string method;                 // "" = any (the effective method, after X-HTTP-Method-Override)
  std::string path;                   // "" = any; "/k/v1/records.json" also matches the guest-space form
  std::optional<std::int64_t> count;  // how many more matches it applies to; nullopt = no limit
  double probability = 1.0;
  std::uint32_t latency_ms = 0;
  int status = 0;
  std::string code;
  std::int64_t applied = 0;

  boost::json::object to_json() const;
  static ks::result<fault_rule, std::string> from_json(const boost::json::value& v);
};

struct fault_plan {
  std::uint32_t latency_ms = 0;
  std::optional<fault_rule> action;  // reset, error, drop_response or db_lock
  std::string name() const;          // "" when no fault
};

class fault_injector {
 public:
  explicit fault_injector(std::uint64_t seed) : seed_(seed), rng_(seed) {}

  // path: the request path with any /k/guest/{space} prefix replaced by /k.
  fault_plan decide(const std::string& method, const std::string& path);

  void set_rules(std::vector<fault_rule> rules) { rules_ = std::move(rules); }
  const std::vector<fault_rule>& rules() const { return rules_; }
  void reseed(std::uint64_t seed) {
    seed_ = seed;
    rng_.seed(seed);
  }
  std::uint64_t seed() const { return seed_; }
  void reset() {
    rules_.clear();
    rng_.seed(seed_);
  }

 private:
  std::uint64_t seed_;
  std::mt19937_64 rng_;
  std::vector<fault_rule> rules_;
};

}  // namespace kintone_emulator
