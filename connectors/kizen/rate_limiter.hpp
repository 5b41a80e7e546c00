#pragma once
// A token bucket: `rate` tokens per second, at most `burst` saved up. Pure logic on an injected
// clock reading; the Asio wrapper that actually waits is in rate_limiter_async.hpp.

#include <chrono>

namespace ks::kizen {

class rate_limiter {
 public:
  using clock = std::chrono::steady_clock;
  using duration = clock::duration;

  // rate_per_second <= 0 (or not finite) means unlimited. burst below 1 reads as 1. The bucket
  // starts full.
  rate_limiter(double rate_per_second, double burst, clock::time_point now);

  // Takes one token if one is available and returns zero; otherwise takes nothing and returns
  // how long until one will be.
  duration try_acquire(clock::time_point now);

  // Tokens available at `now`.
  double available(clock::time_point now);

  // The server asked us to back off (429 with Retry-After): no caller passes before `until`, and
  // the bucket restarts empty then, so requests resume at the configured rate, not in a burst.
  // A shorter pause never cuts an earlier, longer one short.
  void pause_until(clock::time_point until);
  clock::time_point paused_until() const { return paused_until_; }

  bool unlimited() const { return rate_ <= 0; }
  double rate() const { return rate_; }
  double burst() const { return burst_; }

 private:
  void refill(clock::time_point now);
  duration time_for(double tokens) const;

  double rate_;
  double burst_;
  double tokens_;
  clock::time_point last_;
  clock::time_point paused_until_{};
};

}  // namespace ks::kizen
