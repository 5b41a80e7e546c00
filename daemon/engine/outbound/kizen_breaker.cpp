#include "daemon/engine/outbound/kizen_breaker.hpp"

#include <algorithm>

namespace ks::engine {

namespace {

bool kizen_wide(const outbound_outcome& o) { return o.failure_kind == kizen::error_kind::tls || o.http_status == 401; }

}  // namespace

service_signal signal_of(const outbound_outcome& o) {
  switch (o.what) {
    case outbound_outcome::kind::applied:
    case outbound_outcome::kind::nothing_to_do:  // without a request it says nothing about Kizen
      return o.requests > 0 ? service_signal::answering : service_signal::neutral;
    case outbound_outcome::kind::wait: return service_signal::neutral;
    case outbound_outcome::kind::retry: return o.throttled ? service_signal::neutral : service_signal::failing;
    case outbound_outcome::kind::dead: return kizen_wide(o) ? service_signal::failing : service_signal::answering;
  }
  return service_signal::neutral;
}

std::size_t kizen_breaker::admit(clock::time_point now, std::size_t capacity) {
  switch (state_) {
    case state::closed: return capacity;
    case state::probing: return 0;
    case state::open:
      if (now < probe_at_ || capacity == 0) return 0;
      state_ = state::probing;
      return 1;
  }
  return 0;
}

std::optional<kizen_breaker::clock::time_point> kizen_breaker::next_probe() const {
  if (state_ != state::open) return std::nullopt;
  return probe_at_;
}

bool kizen_breaker::record(const outbound_outcome& outcome, clock::time_point now) {
  const auto signal = signal_of(outcome);
  if (signal == service_signal::answering) {
    state_ = state::closed;
    failures_in_row_ = 0;
    failed_probes_ = 0;
    open_since_.reset();
    reason_.clear();
    return false;
  }
  if (signal == service_signal::neutral) {
    if (state_ == state::probing) state_ = state::open;  // the probe told nothing: probe again at once
    return open();
  }
  if (state_ == state::closed) {
    ++failures_in_row_;
    if (failures_in_row_ >= settings_.failures_to_open || kizen_wide(outcome)) trip(now, outcome.message);
    return open();
  }
  // Open: a key already in flight when it opened, or the probe.
  if (state_ == state::probing) {
    ++failed_probes_;
    trip(now, outcome.message);
  }
  return true;
}

void kizen_breaker::trip(clock::time_point now, const std::string& reason) {
  if (!open_since_) open_since_ = now;
  reason_ = reason;
  state_ = state::open;
  auto delay = settings_.first_probe;
  for (int i = 0; i < failed_probes_ && delay < settings_.max_probe; ++i) delay *= 2;
  probe_at_ = now + std::min(delay, settings_.max_probe);
}

}  // namespace ks::engine
