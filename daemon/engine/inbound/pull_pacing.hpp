#pragma once
// How long an object waits before its next pull. While Kizen has changes for it, pull_interval;
// after each pull that found none the wait doubles, up to the idle interval, so a hundred idle
// objects do not spend Kizen's request budget that the outbound needs; the first pull that finds
// a change goes back to pull_interval. Sans-I/O.

#include <chrono>

namespace ks::engine {

class pull_pacing {
 public:
  // `idle` below `interval` reads as `interval` (no slowing down).
  pull_pacing(std::chrono::milliseconds interval, std::chrono::milliseconds idle);

  // The wait after a pull that found changes (`found`) or none.
  std::chrono::milliseconds after_pull(bool found);

 private:
  std::chrono::milliseconds interval_;
  std::chrono::milliseconds idle_;
  std::chrono::milliseconds current_;
};

}  // namespace ks::engine
