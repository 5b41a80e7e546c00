#include "daemon/engine/outbound/outbound_worker.hpp"

#include "common/async/stoppable_sleep.hpp"
#include "common/log_line.hpp"

#include <algorithm>
#include <pqxx/pqxx>

namespace ks::engine {

namespace net = boost::asio;
namespace json = boost::json;
using clock = std::chrono::steady_clock;

namespace {

const char* op_name(const merged_change& m) {
  if (m.action == merged_change::kind::archive) return "delete";
  return m.began_with_insert ? "insert" : "update";
}

std::vector<std::string> sending_objects(const object_bindings& bindings) {
  std::vector<std::string> out;
  for (const auto& [name, b] : bindings)
    if (b.mapping->direction != config::sync_direction::from_kizen) out.push_back(name);
  return out;
}

}  // namespace

outbound_worker::outbound_worker(net::any_io_executor executor, const std::string& schema,
                                 const object_bindings& bindings, kizen::client& client, pg::db_pool& claim_pool,
                                 pg::db_pool& work_pool, metrics_sink& metrics, std::shared_ptr<spdlog::logger> logger,
                                 outbound_settings settings)
    : executor_(executor),
      bindings_(bindings),
      applier_(client, logger),
      claim_pool_(claim_pool),
      work_pool_(work_pool),
      metrics_(metrics),
      logger_(std::move(logger)),
      settings_(settings),
      claims_(schema, sending_objects(bindings), settings.max_merge, settings.key_lease, settings.owner),
      references_(schema, bindings),
      outcomes_(schema, bindings, settings.outcomes),
      pauses_(schema),
      operations_(executor,
                  [this](std::string_view, std::exception_ptr e) {
                    logger_->error(log_line("a key operation failed", {{"error", failure_of(e).describe()}}));
                  }),
      wake_timer_(executor),
      breaker_(settings.breaker) {
  metrics_.describe("kizen_sync_changes_applied_total", metrics_sink::kind::counter,
                    "Outbox changes applied to Kizen.");
  metrics_.describe("kizen_sync_changes_dead_total", metrics_sink::kind::counter, "Outbox changes dead-lettered.");
  metrics_.describe("kizen_sync_change_retries_total", metrics_sink::kind::counter,
                    "Key operations scheduled for another attempt.");
  metrics_.describe("kizen_sync_outbound_in_flight", metrics_sink::kind::gauge, "Keys with a Kizen request in flight.");
  metrics_.describe("kizen_sync_outbound_paused", metrics_sink::kind::gauge,
                    "1 while Kizen as a whole fails and outbound work is paused (probing), else 0.");
  metrics_.set("kizen_sync_outbound_paused", {}, 0);
  metrics_.describe("kizen_sync_apply_latency_seconds", metrics_sink::kind::gauge,
                    "Commit-to-applied latency of the last applied change, per object.");
}

void outbound_worker::wake() {
  wake_pending_ = true;
  wake_timer_.cancel();
}

void outbound_worker::schedule_wake_in(std::chrono::milliseconds delay) {
  const auto at = clock::now() + delay;
  if (!next_due_ || at < *next_due_) next_due_ = at;
}

net::awaitable<void> outbound_worker::idle(std::stop_token stop) {
  auto deadline = clock::now() + settings_.poll_interval;
  if (next_due_ && *next_due_ < deadline) deadline = *next_due_;
  co_await stoppable_sleep_until(wake_timer_, deadline, stop);
  if (next_due_ && *next_due_ <= clock::now()) {
    next_due_.reset();
    wake_pending_ = true;
  }
}

net::awaitable<void> outbound_worker::run(std::stop_token stop) {
  logger_->info(log_line("outbound sync started", {{"objects", json::value_from(claims_.objects())},
                                                   {"max_in_flight", settings_.max_in_flight}}));
  backoff claim_delays(settings_.claim_backoff);
  while (!stop.stop_requested()) {
    const auto limit = static_cast<std::size_t>(settings_.max_in_flight);
    const std::size_t free = in_flight_.size() < limit ? limit - in_flight_.size() : 0;
    // While Kizen as a whole fails, nothing is claimed but one probe now and then.
    const std::size_t capacity = breaker_.admit(clock::now(), free);
    if (capacity == 0 || claims_.objects().empty()) {
      if (const auto probe = breaker_.next_probe())
        schedule_wake_in(std::chrono::duration_cast<std::chrono::milliseconds>(*probe - clock::now()) +
                         std::chrono::milliseconds(1));
      co_await idle(stop);
      continue;
    }
    wake_pending_ = false;
    std::vector<claimed_key> claimed;
    std::exception_ptr claim_error;
    claiming_since_ = clock::now();
    // Measured from before the claim is sent, so the local deadline falls before the database's.
    const auto start_by = *claiming_since_ + settings_.key_lease - settings_.request_timeout - std::chrono::seconds(1);
    try {
      claimed = co_await claim(capacity);
    } catch (...) {
      claim_error = std::current_exception();
    }
    claiming_since_.reset();
    if ((claim_error || claimed.empty())) breaker_.probe_unused();
    if (claim_error) {
      auto f = failure_of(claim_error);
      if (!claim_failure_) logger_->error(log_line("cannot claim outbox changes; retrying", {{"error", f.describe()}}));
      claim_failure_ = std::move(f);
      co_await stoppable_sleep(wake_timer_, claim_delays.next(), stop);
      continue;
    }
    if (claim_failure_) logger_->info(log_line("PostgreSQL reachable again; claiming resumes"));
    claim_failure_.reset();
    claim_delays.reset();
    for (auto& c : claimed) {
      in_flight_.insert(c.key);
      counters_.claimed++;
      operations_.spawn(c.key.to_string(), process(std::move(c), start_by));
    }
    metrics_.set("kizen_sync_outbound_in_flight", {}, static_cast<double>(in_flight_.size()));
    // A full claim means there may be more: go again at once. Otherwise sleep until woken.
    if (claimed.size() < capacity && !wake_pending_) co_await idle(stop);
  }
  // Stopping: let what is in flight finish (the caller bounds this with its grace period).
  co_await operations_.join();
  if (breaker_.open()) co_await note_pause(false);  // no longer this daemon's to report
  if (!to_hold_back_.empty()) {
    try {
      co_await claim_pool_.run([this](pqxx::connection& conn) {
        pqxx::work tx(conn);
        claims_.release(tx, to_hold_back_);
        tx.commit();
      });
    } catch (const std::exception&) {
      // PostgreSQL is gone: the leases end by themselves.
    }
    to_hold_back_.clear();
  }
  logger_->info(log_line("outbound sync stopped"));
}

std::chrono::milliseconds outbound_worker::claim_running_for() const {
  if (!claiming_since_) return std::chrono::milliseconds(0);
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - *claiming_since_);
}

net::awaitable<std::vector<claimed_key>> outbound_worker::claim(std::size_t capacity) {
  std::vector<key_ref> skip;
  const auto now = clock::now();
  for (auto it = cooldown_.begin(); it != cooldown_.end();) {
    if (it->second <= now) {
      it = cooldown_.erase(it);
    } else {
      skip.push_back(it->first);
      ++it;
    }
  }
  for (const auto& k : in_flight_) skip.push_back(k);  // their leases may have run out meanwhile
  std::vector<pg::leased_key> hold_back = std::move(to_hold_back_);
  to_hold_back_.clear();
  try {
    co_return co_await claim_pool_.run([this, capacity, &skip, &hold_back](pqxx::connection& conn) {
      pqxx::work tx(conn);
      // Failed keys stay leased for the cooldown, so no other daemon retries them at once either.
      for (const auto& l : hold_back) claims_.hold_back(tx, l, settings_.failure_cooldown);
      auto out = claims_.claim(tx, capacity, skip);
      tx.commit();
      return out;
    });
  } catch (...) {
    to_hold_back_.insert(to_hold_back_.end(), hold_back.begin(), hold_back.end());
    throw;
  }
}

net::awaitable<void> outbound_worker::process(claimed_key claimed, clock::time_point start_by) {
  const auto started = clock::now();
  merged_change change = merge_changes(claimed.changes);
  const std::optional<std::string> known =
      claimed.identity ? std::optional<std::string>(claimed.identity->entity_id) : std::nullopt;
  std::exception_ptr error;
  try {
    outbound_outcome outcome;
    if (auto moved = co_await key_move(claimed.key, change, known)) {
      outcome = std::move(*moved);
    } else {
      outcome = co_await send(claimed, change, known, start_by);
      counters_.requests += static_cast<std::uint64_t>(outcome.requests);
      note_service(outcome);
    }
    const auto decision = co_await work_pool_.run([this, &claimed, &change, &outcome](pqxx::connection& conn) {
      return outcomes_.record(conn, claimed, change, outcome);
    });
    if (decision.what == outbound_decision::kind::retry || decision.what == outbound_decision::kind::wait)
      schedule_wake_in(decision.delay);
    report(claimed, change, outcome, decision, started);
  } catch (const lease_lost&) {
    // Another claim took the key after our lease ran out (this daemon stalled, or lost
    // PostgreSQL for longer than the lease): what we did is not recorded, the key's owner now
    // sends its changes again, in order.
    logger_->warn(log_line("the key's lease was lost before its result was recorded; the result is dropped",
                           {{"object", claimed.key.object}, {"key", claimed.key.key}, {"epoch", claimed.epoch}}));
    breaker_.probe_unused();
  } catch (...) {
    error = std::current_exception();
  }
  if (error) {
    // Nothing was recorded: the changes stay pending. Keep the key aside for a while so a
    // persistent failure cannot turn into a tight loop of Kizen requests.
    logger_->error(
        log_line("processing a change failed; it stays queued",
                 {{"object", claimed.key.object}, {"key", claimed.key.key}, {"error", failure_of(error).describe()}}));
    cooldown_[claimed.key] = clock::now() + settings_.failure_cooldown;
    to_hold_back_.push_back(claimed.lease());
    schedule_wake_in(settings_.failure_cooldown);
    // A probe that failed here told nothing about Kizen: another key probes next.
    breaker_.probe_unused();
  }

  // A recorded outcome released the lease in its own transaction.
  in_flight_.erase(claimed.key);
  metrics_.set("kizen_sync_outbound_in_flight", {}, static_cast<double>(in_flight_.size()));
  wake();
}

// The two sides of a key update (merged_change::moved_from / moved_to), settled without a Kizen
// request; nothing when the change goes to Kizen as usual.
net::awaitable<std::optional<outbound_outcome>> outbound_worker::key_move(const key_ref& key, merged_change& change,
                                                                        const std::optional<std::string>& known) {
  if (change.moved_from && change.began_with_insert) {
    const key_ref from{key.object, *change.moved_from};
    const auto first = change.ids.front();
    const bool open = co_await work_pool_.run([this, &from, first](pqxx::connection& conn) {
      pqxx::read_transaction tx(conn);
      return references_.moved_from_open(tx, from, first);
    });
    if (open) {
      outbound_outcome o;
      o.what = outbound_outcome::kind::wait;
      o.message = "waiting for key " + from.key + " to hand its Kizen record over (the key was updated)";
      co_return o;
    }
  }
  if (change.action == merged_change::kind::archive && change.moved_to) {
    outbound_outcome o;
    o.path = "key move";
    if (!known) {
      // Nothing mapped to hand over: the new key's insert finds its record as any insert does.
      o.what = outbound_outcome::kind::nothing_to_do;
      o.message = "key updated to " + *change.moved_to + " before it reached Kizen";
      co_return o;
    }
    const key_ref to{key.object, *change.moved_to};
    const bool free = co_await work_pool_.run([this, &to](pqxx::connection& conn) {
      pqxx::read_transaction tx(conn);
      return references_.move_target_free(tx, to);
    });
    if (free) {
      o.what = outbound_outcome::kind::applied;
      o.entity_id = known;
      o.identity_moved_to = *change.moved_to;
      co_return o;
    }
    change.moved_to.reset();  // the new key has a record of its own: archive this one as before
  }
  co_return std::nullopt;
}

// References resolved, then the change applied to Kizen (or a wait for referenced rows).
net::awaitable<outbound_outcome> outbound_worker::send(const claimed_key& claimed, const merged_change& change,
                                                       const std::optional<std::string>& known,
                                                       clock::time_point start_by) {
  const auto& binding = bindings_.at(claimed.key.object);
  // Kizen ids of the rows this change references; for a create, the referenced rows without
  // one that it should wait for.
  reference_reader::resolved refs;
  const auto needed = references_needed(binding, change, !known || change.began_with_insert);
  if (!needed.empty()) {
    refs = co_await work_pool_.run([this, &needed, &known, &change](pqxx::connection& conn) {
      pqxx::read_transaction tx(conn);
      return references_.resolve(tx, needed, !known, change.ids.front());
    });
  }
  const kizen_id_lookup lookup = [&refs](const key_ref& r) -> std::optional<std::string> {
    const auto it = refs.ids.find(r);
    if (it == refs.ids.end()) return std::nullopt;
    return it->second;
  };
  const change_applier::before_create_hook before_create = [this, &change]() -> net::awaitable<void> {
    co_await work_pool_.run([this, &change](pqxx::connection& conn) { outcomes_.note_attempt(conn, change.ids); });
  };
  if (!refs.wait_for.empty()) {
    outbound_outcome outcome;
    outcome.what = outbound_outcome::kind::wait;
    outcome.waiting_for = refs.wait_for;
    outcome.message = "waiting for referenced rows to reach Kizen first: " + describe(refs.wait_for);
    co_return outcome;
  }
  co_return co_await applier_.apply(binding, change, known, lookup, before_create, start_by);
}

// Feeds the breaker; while it is open a failing outcome spends no attempt (as a 429 does not):
// the outage is Kizen's, and an hour of it must not dead-letter every key it touched.
void outbound_worker::note_service(outbound_outcome& outcome) {
  const bool was_open = breaker_.open();
  const bool open = breaker_.record(outcome, clock::now());
  if (open && signal_of(outcome) == service_signal::failing) {
    outcome.what = outbound_outcome::kind::retry;
    outcome.throttled = true;
    outcome.message = "Kizen unavailable, outbound paused: " + outcome.message;
  }
  if (open || was_open) operations_.spawn("outbound pause", note_pause(open));
  if (open && !was_open) {
    logger_->warn(log_line("Kizen is failing as a whole; outbound work pauses and probes until it answers",
                           {{"reason", breaker_.reason()}}));
    if (const auto probe = breaker_.next_probe())
      schedule_wake_in(std::chrono::duration_cast<std::chrono::milliseconds>(*probe - clock::now()));
  } else if (!open && was_open) {
    logger_->info(log_line("Kizen answers again; outbound work resumes"));
  }
  metrics_.set("kizen_sync_outbound_paused", {}, open ? 1 : 0);
}

// The pause, where `kizen-sync status` can see it (refreshed at every probe while it lasts).
net::awaitable<void> outbound_worker::note_pause(bool open) {
  std::optional<pg::timestamp> since;
  if (open && breaker_.open_since())
    since = std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now() -
                                                                     (clock::now() - *breaker_.open_since()));
  const auto reason = breaker_.reason();
  try {
    co_await work_pool_.run([this, open, &since, &reason](pqxx::connection& conn) {
      pqxx::work tx(conn);
      if (open)
        pauses_.record(tx, settings_.owner, since.value_or(pg::timestamp{}), reason);
      else
        pauses_.clear(tx, settings_.owner);
      tx.commit();
    });
  } catch (...) {
    // Only status misses it; /healthz and the log say it anyway.
    logger_->debug(log_line("cannot record the outbound pause", {{"error", failure_of(std::current_exception()).describe()}}));
  }
}

void outbound_worker::report(const claimed_key& claimed, const merged_change& change, const outbound_outcome& outcome,
                             const outbound_decision& decision, clock::time_point started) {
  const auto& key = claimed.key;
  const auto changes = static_cast<std::int64_t>(change.ids.size());
  const auto duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - started).count();
  const json::value entity = outcome.entity_id ? json::value(*outcome.entity_id) : json::value(nullptr);
  const json::value status = decision.http_status ? json::value(*decision.http_status) : json::value(nullptr);
  switch (decision.what) {
    case outbound_decision::kind::done: {
      counters_.applied += change.ids.size();
      const auto lag = std::chrono::duration<double>(std::chrono::system_clock::now() - change.last_change_at);
      metrics_.add("kizen_sync_changes_applied_total", {{"object", key.object}}, static_cast<double>(changes));
      metrics_.set("kizen_sync_apply_latency_seconds", {{"object", key.object}}, lag.count());
      logger_->debug(log_line("change applied", {{"object", key.object},
                                                 {"key", key.key},
                                                 {"entity_id", entity},
                                                 {"op", op_name(change)},
                                                 {"path", outcome.path},
                                                 {"changes", changes},
                                                 {"attempt", change.attempts + 1},
                                                 {"duration_ms", duration_ms}}));
      break;
    }
    case outbound_decision::kind::retry:
      counters_.retried++;
      metrics_.add("kizen_sync_change_retries_total", {{"object", key.object}}, 1);
      logger_->warn(log_line("change failed; will retry", {{"object", key.object},
                                                           {"key", key.key},
                                                           {"op", op_name(change)},
                                                           {"attempt", change.attempts + 1},
                                                           {"http_status", status},
                                                           {"error", decision.message},
                                                           {"duration_ms", duration_ms}}));
      break;
    case outbound_decision::kind::dead:
      counters_.dead += change.ids.size();
      metrics_.add("kizen_sync_changes_dead_total", {{"object", key.object}}, static_cast<double>(changes));
      logger_->error(log_line("change dead-lettered; later changes of this key wait for a replay",
                              {{"object", key.object},
                               {"key", key.key},
                               {"op", op_name(change)},
                               {"attempt", change.attempts + 1},
                               {"http_status", status},
                               {"error", decision.message},
                               {"change_ids", json::value_from(change.ids)}}));
      break;
    case outbound_decision::kind::wait:
      counters_.waited++;
      logger_->debug(log_line("change waits for referenced rows",
                              {{"object", key.object}, {"key", key.key}, {"reason", decision.message}}));
      break;
  }
}

}  // namespace ks::engine
