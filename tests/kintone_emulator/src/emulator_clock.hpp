#pragma once
// The emulator's idea of "now" in milliseconds since the epoch: the system clock plus an offset,
// or a frozen instant. Record times, cursor expiry and the daily request counters all read it, so
// tests can move time (freeze, advance, set) instead of waiting.

#include <chrono>
#include <cstdint>
#include <optional>

namespace kintone_emulator {

class emulator_clock {
 public:
  std::int64_t now_ms() const { return frozen_ ? *frozen_ : system_ms() + offset_ms_; }
  bool frozen() const { return frozen_.has_value(); }
  void freeze() { frozen_ = now_ms(); }
  void unfreeze() {
    if (frozen_) offset_ms_ = *frozen_ - system_ms();
    frozen_.reset();
  }
  void set(std::int64_t at_ms) {
    if (frozen_)
      frozen_ = at_ms;
    else
      offset_ms_ = at_ms - system_ms();
  }
  void advance(std::int64_t ms) { set(now_ms() + ms); }
  void reset() {
    frozen_.reset();
    offset_ms_ = 0;
  }

 private:
  static std::int64_t system_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  std::optional<std::int64_t> frozen_;
  std::int64_t offset_ms_ = 0;
};

}  // namespace kintone_emulator
