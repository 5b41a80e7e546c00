#include "connectors/kizen/rate_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace ks::kizen {

rate_limiter::rate_limiter(double rate_per_second, double burst, clock::time_point now)
    : rate_(std::isfinite(rate_per_second) && rate_per_second > 0 ? rate_per_second : 0),
      burst_(std::isfinite(burst) && burst > 1 ? burst : 1),
      tokens_(burst_),
      last_(now) {}

void rate_limiter::refill(clock::time_point now) {
  if (now <= last_) return;  // a stale reading never takes tokens back
  const double elapsed = std::chrono::duration<double>(now - last_).count();
  tokens_ = std::min(burst_, tokens_ + elapsed * rate_);
  last_ = now;
}

rate_limiter::duration rate_limiter::time_for(double tokens) const {
  // Round up, so a caller that waits exactly this long finds the token there.
  const auto d = std::chrono::duration<double>(tokens / rate_);
  return std::max(duration(1), std::chrono::ceil<duration>(d));
}

rate_limiter::duration rate_limiter::try_acquire(clock::time_point now) {
  if (now < paused_until_) return paused_until_ - now;
  if (unlimited()) return duration::zero();
  refill(now);
  if (tokens_ >= 1) {
    tokens_ -= 1;
    return duration::zero();
  }
  return time_for(1 - tokens_);
}

double rate_limiter::available(clock::time_point now) {
  if (now < paused_until_) return 0;
  if (unlimited()) return burst_;
  refill(now);
  return tokens_;
}

void rate_limiter::pause_until(clock::time_point until) {
  if (until <= paused_until_) return;
  paused_until_ = until;
  tokens_ = 0;
  last_ = std::max(last_, until);  // refill counts from the end of the pause
}

}  // namespace ks::kizen
