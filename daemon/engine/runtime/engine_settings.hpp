#pragma once
// Every tuning value of the engine, named, with its default; built once from the config
// (engine_settings_from) and shared by `run` and `resync`. Tests shrink them.

#include "common/backoff.hpp"
#include "config/config.hpp"
#include "daemon/engine/inbound/inbound_worker.hpp"
#include "daemon/engine/outbound/outbound_worker.hpp"

#include <chrono>

namespace ks::engine {

struct pool_sizes {
  int claim = 1;    // the claim session: its advisory locks are the keys in flight
  int work = 2;     // outbound persists, reference reads, housekeeping
  int inbound = 2;  // pulls: apart, so their waits for key locks never starve the outbound persists
};

struct housekeeping_settings {
  // How often the backlog gauges are refreshed.
  std::chrono::milliseconds backlog_interval{10'000};
  // The periodic info summary line (daemon.summary_interval).
  std::chrono::milliseconds summary_interval{60'000};
  // How long applied changes stay in the outbox for audit (daemon.retention; 0 keeps them).
  std::chrono::milliseconds retention{std::chrono::hours(24 * 7)};
  // How often applied changes past retention are purged, and how many per transaction (never a
  // long lock on the outbox).
  std::chrono::milliseconds purge_interval{60'000};
  int purge_batch = 1000;
};

struct engine_settings {
  outbound_settings outbound;
  inbound_settings inbound;
  housekeeping_settings housekeeping;
  // Between start attempts while PostgreSQL or Kizen cannot be reached.
  backoff_settings startup{std::chrono::milliseconds(500), std::chrono::milliseconds(30'000)};
  pool_sizes pools;
};

engine_settings engine_settings_from(const config::config& cfg);

}  // namespace ks::engine
