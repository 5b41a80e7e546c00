#include "connectors/kizen/retry_policy.hpp"

#include <algorithm>
#include <cmath>
#include <memory>
#include <random>

namespace ks::kizen {

unit_random make_unit_random() {
  auto engine = std::make_shared<std::mt19937_64>(std::random_device{}());
  return [engine] { return std::uniform_real_distribution<double>(0.0, 1.0)(*engine); };
}

retry_policy::retry_policy(int max_attempts, duration initial_backoff, duration max_backoff)
    : max_attempts_(std::max(1, max_attempts)),
      initial_backoff_(std::max(duration::zero(), initial_backoff)),
      max_backoff_(std::max(duration::zero(), max_backoff)) {}

retry_policy::retry_policy(const retry_settings& settings)
    : retry_policy(settings.max_attempts, settings.initial_backoff, settings.max_backoff) {}

bool retry_policy::should_retry(int attempts_made) const { return attempts_made < max_attempts_; }

retry_policy::duration retry_policy::ceiling(int attempts_made) const {
  // Double step by step and stop at the cap, so no shift or multiplication can overflow.
  duration d = std::min(initial_backoff_, max_backoff_);
  for (int i = 1; i < attempts_made && d < max_backoff_; ++i) {
    d = d > max_backoff_ / 2 ? max_backoff_ : d * 2;
  }
  return std::min(d, max_backoff_);
}

retry_policy::duration retry_policy::next_delay(int attempts_made, const unit_random& random,
                                                std::optional<duration> retry_after) const {
  double r = random ? random() : 1.0;
  if (!(r >= 0.0)) r = 0.0;  // also catches NaN
  if (r > 1.0) r = 1.0;
  const auto window = ceiling(attempts_made);
  auto delay = duration(static_cast<duration::rep>(std::floor(static_cast<double>(window.count()) * r)));
  if (retry_after && *retry_after > delay) delay = *retry_after;
  return delay;
}

}  // namespace ks::kizen
