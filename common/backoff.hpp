#pragma once
// Delays between attempts of something that keeps failing as a whole (reconnecting to PostgreSQL,
// starting the sync, claiming, pulling): doubling from `initial` up to `max`, back to `initial`
// after a success. Pure; the loops that use it sleep for next().
//
// Per-change retries of Kizen requests use kizen::retry_policy instead (jittered, by attempt).

#include <algorithm>
#include <chrono>

namespace ks {

struct backoff_settings {
  // The first delay after a failure (raised to 1 ms if smaller).
  std::chrono::milliseconds initial{250};
  // The longest delay (raised to `initial` if smaller).
  std::chrono::milliseconds max{30'000};
};

class backoff {
 public:
  using duration = std::chrono::milliseconds;

  explicit backoff(backoff_settings settings)
      : initial_(std::max(settings.initial, duration(1))), max_(std::max(settings.max, initial_)), next_(initial_) {}

  // The delay before the next attempt; each call doubles the following one, up to max.
  duration next() {
    const duration out = next_;
    next_ = next_ >= max_ / 2 ? max_ : next_ * 2;
    return out;
  }

  // After a success: the next failure waits `initial` again.
  void reset() { next_ = initial_; }

 private:
  duration initial_;
  duration max_;
  duration next_;
};

}  // namespace ks
