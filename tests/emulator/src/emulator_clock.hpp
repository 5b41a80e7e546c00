#pragma once
// Wall-clock time in milliseconds for record timestamps, which tests can freeze so that many
// writes share one `updated` value.

#include <chrono>
#include <cstdint>
#include <optional>

namespace kizen_emulator {

class emulator_clock {
 public:
  std::int64_t now_ms() const {
    if (frozen_) return *frozen_;
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  void freeze(std::optional<std::int64_t> at) { frozen_ = at; }
  std::optional<std::int64_t> frozen_at() const { return frozen_; }

 private:
  std::optional<std::int64_t> frozen_;
};

}  // namespace kizen_emulator
