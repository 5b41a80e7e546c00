#pragma once
// Exponential backoff with full jitter (the AWS Architecture Blog's "full jitter"): after the
// n-th failed attempt, wait a random time in [0, min(max_backoff, initial_backoff * 2^(n-1))],
// but never less than the server's Retry-After. Pure logic: the caller supplies the attempt
// number and the random source, so tests are deterministic.

#include <chrono>
#include <functional>
#include <optional>

#include "connectors/kizen/client_settings.hpp"

namespace ks::kizen {

// A source of uniformly distributed numbers in [0, 1]. Values outside are clamped.
using unit_random = std::function<double()>;

// A unit_random backed by its own std::mt19937_64 seeded from std::random_device. Not
// thread-safe: give each thread its own.
unit_random make_unit_random();

class retry_policy {
 public:
  using duration = std::chrono::milliseconds;

  // max_attempts counts every attempt including the first (1 = never retry); values below 1
  // are read as 1. Negative durations are read as 0; a max_backoff below initial_backoff caps it.
  retry_policy(int max_attempts, duration initial_backoff, duration max_backoff);
  explicit retry_policy(const retry_settings& settings);

  // True when attempt number `attempts_made` (1-based, the one that just failed) may be
  // followed by another.
  bool should_retry(int attempts_made) const;

  // The upper bound of the jitter window after `attempts_made` failures:
  // min(max_backoff, initial_backoff * 2^(attempts_made-1)); attempts_made < 1 reads as 1.
  duration ceiling(int attempts_made) const;

  // The delay before the next attempt: ceiling(attempts_made) * random, raised to
  // `retry_after` when the server asked for longer (Retry-After is a lower bound and may
  // exceed max_backoff).
  duration next_delay(int attempts_made, const unit_random& random,
                      std::optional<duration> retry_after = std::nullopt) const;

  int max_attempts() const { return max_attempts_; }
  duration initial_backoff() const { return initial_backoff_; }
  duration max_backoff() const { return max_backoff_; }

 private:
  int max_attempts_;
  duration initial_backoff_;
  duration max_backoff_;
};

}  // namespace ks::kizen
