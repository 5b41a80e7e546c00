#include "daemon/engine/inbound/pull_pacing.hpp"

#include <algorithm>

namespace ks::engine {

pull_pacing::pull_pacing(std::chrono::milliseconds interval, std::chrono::milliseconds idle)
    : interval_(interval), idle_(std::max(idle, interval)), current_(interval) {}

std::chrono::milliseconds pull_pacing::after_pull(bool found) {
  if (found) {
    current_ = interval_;
    return current_;
  }
  const auto wait = current_;
  current_ = std::min(idle_, std::max(current_ * 2, std::chrono::milliseconds(1)));
  return wait;
}

}  // namespace ks::engine
