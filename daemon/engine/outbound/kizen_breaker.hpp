#pragma once
// The outbound's circuit breaker: when Kizen as a whole fails (refused or dropped connections,
// timeouts, 5xx on many keys, a 401 from a rotated key, a TLS failure), every key would spend its
// retry budget on the same outage and end dead. Instead the breaker opens: the worker claims
// nothing, no attempt is spent, one key probes with backoff, and the first success closes it.
// One record's 400 says nothing about Kizen and still dead-letters at once. Sans-I/O: the worker
// feeds it outcomes and the time, and asks how many keys it may start.

#include "daemon/engine/outbound/outbound_outcome.hpp"

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

namespace ks::engine {

// What one key operation's outcome says about Kizen as a whole.
enum class service_signal {
  answering,  // Kizen applied it or refused this record for a reason of its own (400, 404, ...)
  failing,    // Kizen as a whole: network, timeout, 5xx, 401, TLS
  neutral,    // says nothing: throttled (429), a wait for referenced rows, nothing sent
};
service_signal signal_of(const outbound_outcome& outcome);

struct breaker_settings {
  // Failing outcomes in a row (from any keys) that open the breaker; a 401 or a TLS failure
  // opens it at once (they are Kizen-wide by nature).
  int failures_to_open = 5;
  std::chrono::milliseconds first_probe{1000};  // after opening; doubles per failed probe
  std::chrono::milliseconds max_probe{60'000};
};

class kizen_breaker {
 public:
  using clock = std::chrono::steady_clock;
  explicit kizen_breaker(breaker_settings settings = {}) : settings_(settings) {}

  enum class state { closed, open, probing };
  state current() const { return state_; }
  bool open() const { return state_ != state::closed; }

  // Keys the worker may start now out of `capacity`: all when closed; one when a probe is due
  // (the breaker then waits for that key's outcome); none otherwise.
  std::size_t admit(clock::time_point now, std::size_t capacity);
  // The key admitted as a probe found nothing to do (no claimable change): probe again when asked.
  void probe_unused() {
    if (state_ == state::probing) state_ = state::open;
  }
  // When the next probe is due (open only).
  std::optional<clock::time_point> next_probe() const;

  // Feeds one key operation's outcome. True when the breaker is open after it: a failing outcome
  // then spends no attempt (the outage is Kizen's, not the record's).
  bool record(const outbound_outcome& outcome, clock::time_point now);

  // Since when it is open, and why (the failure that opened it or the last probe's).
  std::optional<clock::time_point> open_since() const { return open_since_; }
  const std::string& reason() const { return reason_; }
  int failed_probes() const { return failed_probes_; }

 private:
  void trip(clock::time_point now, const std::string& reason);

  breaker_settings settings_;
  state state_ = state::closed;
  int failures_in_row_ = 0;
  int failed_probes_ = 0;
  clock::time_point probe_at_{};
  std::optional<clock::time_point> open_since_;
  std::string reason_;
};

}  // namespace ks::engine
