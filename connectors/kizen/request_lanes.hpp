#pragma once
// The outbound's guaranteed share of Kizen (issue 11, finding 9). Requests come in two lanes: the
// outbound (changes on their way to Kizen) and background work (pulls, reconcile walks). Background
// requests may hold at most max_connections − ⌈share × max_connections⌉ connections (at least one)
// and take tokens of a second bucket at (1 − share) × the rate besides the shared one, so however
// many objects pull, the outbound keeps at least `share` of the connections and of the rate; each
// lane uses what the other leaves idle. Pure logic: the pool keeps one and waits on its answers.

#include "connectors/kizen/rate_limiter.hpp"

#include <cstddef>

namespace ks::kizen {

enum class request_lane { outbound, background };

class request_lanes {
 public:
  using clock = rate_limiter::clock;

  // share in [0, 1): 0 reserves nothing (one lane, as before).
  request_lanes(std::size_t max_slots, double rate_per_second, double outbound_share, clock::time_point now);

  // Connections: may a request of `lane` take one now?
  bool slot_free(request_lane lane) const;
  void take_slot(request_lane lane);
  void release_slot(request_lane lane);
  std::size_t in_flight() const { return in_flight_; }
  std::size_t background_slots() const { return max_background_; }

  // The background lane's own bucket (zero wait for the outbound lane): taken before the shared one.
  rate_limiter::duration try_acquire_lane_token(request_lane lane, clock::time_point now);

 private:
  std::size_t max_slots_;
  std::size_t max_background_;
  std::size_t in_flight_ = 0;
  std::size_t background_in_flight_ = 0;
  rate_limiter background_rate_;
};

}  // namespace ks::kizen
