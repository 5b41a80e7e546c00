#pragma once
// Delays between reconnect attempts: doubling from `initial` up to `max`, back to `initial`
// after a success. Pure logic (unit-tested); the change listener sleeps for next().

#include <algorithm>
#include <chrono>

namespace ks::pg {

class reconnect_backoff {
 public:
  using duration = std::chrono::milliseconds;

  reconnect_backoff(duration initial, duration max)
      : initial_(std::max(initial, duration(1))), max_(std::max(max, initial_)), next_(initial_) {}

  // The delay before the next attempt; each call doubles the following one, up to max.
  duration next() {
    const duration out = next_;
    next_ = next_ >= max_ / 2 ? max_ : next_ * 2;
    return out;
  }

  // After a successful connection: the next failure waits `initial` again.
  void reset() { next_ = initial_; }

 private:
  duration initial_;
  duration max_;
  duration next_;
};

}  // namespace ks::pg
