#include "connectors/kizen/request_lanes.hpp"

#include <algorithm>
#include <cmath>

namespace ks::kizen {

namespace {

std::size_t background_slots_of(std::size_t max_slots, double share) {
  if (share <= 0 || max_slots <= 1) return max_slots;
  const auto reserved = static_cast<std::size_t>(std::ceil(share * static_cast<double>(max_slots)));
  return std::max<std::size_t>(1, max_slots > reserved ? max_slots - reserved : 1);
}

double background_rate(double rate, double share) {
  if (rate <= 0 || share <= 0) return 0;  // unlimited: the shared bucket alone decides
  return rate * (1 - share);
}

}  // namespace

request_lanes::request_lanes(std::size_t max_slots, double rate_per_second, double outbound_share,
                             clock::time_point now)
    : max_slots_(max_slots),
      max_background_(background_slots_of(max_slots, outbound_share)),
      background_rate_(background_rate(rate_per_second, outbound_share),
                       std::max(1.0, background_rate(rate_per_second, outbound_share)), now) {}

bool request_lanes::slot_free(request_lane lane) const {
  if (in_flight_ >= max_slots_) return false;
  return lane == request_lane::outbound || background_in_flight_ < max_background_;
}

void request_lanes::take_slot(request_lane lane) {
  ++in_flight_;
  if (lane == request_lane::background) ++background_in_flight_;
}

void request_lanes::release_slot(request_lane lane) {
  if (in_flight_ > 0) --in_flight_;
  if (lane == request_lane::background && background_in_flight_ > 0) --background_in_flight_;
}

rate_limiter::duration request_lanes::try_acquire_lane_token(request_lane lane, clock::time_point now) {
  if (lane == request_lane::outbound) return rate_limiter::duration::zero();
  return background_rate_.try_acquire(now);
}

}  // namespace ks::kizen
