#include "daemon/engine/outbound/outbound_worker.hpp"

#include "common/log_line.hpp"
#include "connectors/postgres/capture_trigger.hpp"
#include "connectors/postgres/daemon_write.hpp"
#include "connectors/postgres/values.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
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

}  // namespace

outbound_worker::outbound_worker(net::any_io_executor executor, const config::config& cfg,
                                 const object_bindings& bindings, kizen::client& client,
                                 pg::db_pool& claim_pool, pg::db_pool& work_pool, service::metrics& metrics,
                                 std::shared_ptr<spdlog::logger> logger, outbound_settings settings)
    : executor_(executor),
      cfg_(cfg),
      bindings_(bindings),
      applier_(client, logger),
      claim_pool_(claim_pool),
      work_pool_(work_pool),
      metrics_(metrics),
      logger_(std::move(logger)),
      settings_(settings),
      retry_policy_(settings.retry),
      random_(kizen::make_unit_random()),
      outbox_(cfg.postgres.schema),
      identities_(cfg.postgres.schema),
      locks_(cfg.postgres.schema),
      wake_timer_(executor),
      drained_(executor) {
  for (const auto& o : cfg_.objects)
    if (o.direction != config::sync_direction::from_kizen && bindings_.count(o.object)) objects_.push_back(o.object);
  metrics_.describe("kizen_sync_changes_applied_total", metrics_sink::kind::counter,
                    "Outbox changes applied to Kizen.");
  metrics_.describe("kizen_sync_changes_dead_total", metrics_sink::kind::counter,
                    "Outbox changes dead-lettered.");
  metrics_.describe("kizen_sync_change_retries_total", metrics_sink::kind::counter,
                    "Key operations scheduled for another attempt.");
  metrics_.describe("kizen_sync_outbound_in_flight", metrics_sink::kind::gauge,
                    "Keys with a Kizen request in flight.");
  metrics_.describe("kizen_sync_apply_latency_seconds", metrics_sink::kind::gauge,
                    "Commit-to-applied latency of the last applied change, per object.");
}

void outbound_worker::wake() {
  wake_pending_ = true;
  wake_timer_.cancel();
}

void outbound_worker::stop() {
  stopping_ = true;
  wake_timer_.cancel();
}

void outbound_worker::schedule_wake_in(std::chrono::milliseconds delay) {
  const auto at = clock::now() + delay;
  if (!next_due_ || at < *next_due_) next_due_ = at;
}

net::awaitable<void> outbound_worker::idle() {
  auto deadline = clock::now() + settings_.poll_interval;
  if (next_due_ && *next_due_ < deadline) deadline = *next_due_;
  wake_timer_.expires_at(deadline);
  co_await wake_timer_.async_wait(net::as_tuple(net::use_awaitable));
  if (next_due_ && *next_due_ <= clock::now()) {
    next_due_.reset();
    wake_pending_ = true;
  }
}

net::awaitable<void> outbound_worker::run() {
  logger_->info(log_line("outbound sync started", {{"objects", json::value_from(objects_)},
                                                   {"max_in_flight", settings_.max_in_flight}}));
  auto db_backoff = std::chrono::milliseconds(250);
  while (!stopping_) {
    const std::size_t capacity =
        in_flight_.size() < static_cast<std::size_t>(settings_.max_in_flight)
            ? static_cast<std::size_t>(settings_.max_in_flight) - in_flight_.size()
            : 0;
    if (capacity == 0 || objects_.empty()) {
      co_await idle();
      continue;
    }
    wake_pending_ = false;
    std::vector<claimed_key> claimed;
    std::string claim_error;
    try {
      claimed = co_await claim(capacity);
    } catch (const std::exception& e) {
      claim_error = e.what();
    }
    if (claim_error.empty()) {
      if (!db_error_.empty()) logger_->info(log_line("PostgreSQL reachable again; claiming resumes"));
      db_error_.clear();
      db_backoff = std::chrono::milliseconds(250);
    } else {
      if (db_error_.empty())
        logger_->error(log_line("cannot claim outbox changes; retrying", {{"error", claim_error}}));
      db_error_ = "outbox claim failed: " + claim_error;
      wake_timer_.expires_after(db_backoff);
      co_await wake_timer_.async_wait(net::as_tuple(net::use_awaitable));
      db_backoff = std::min(db_backoff * 2, std::chrono::milliseconds(30000));
      continue;
    }
    for (auto& c : claimed) {
      in_flight_.insert(c.key);
      counters_.claimed++;
      net::co_spawn(executor_, process(std::move(c)), net::detached);
    }
    metrics_.set("kizen_sync_outbound_in_flight", {}, static_cast<double>(in_flight_.size()));
    // A full claim means there may be more: go again at once. Otherwise sleep until woken.
    if (claimed.size() < capacity && !wake_pending_) co_await idle();
  }
  // Stopping: let what is in flight finish (the caller bounds this with its grace period).
  while (!in_flight_.empty()) {
    drained_.expires_at(clock::time_point::max());
    co_await drained_.async_wait(net::as_tuple(net::use_awaitable));
  }
  if (!to_unlock_.empty()) {
    try {
      co_await claim_pool_.run([this](pqxx::connection& conn) {
        pqxx::work tx(conn);
        locks_.release(tx, to_unlock_);
        tx.commit();
      });
    } catch (const std::exception&) {
      // The claim session is gone, and the locks with it.
    }
    to_unlock_.clear();
  }
  logger_->info(log_line("outbound sync stopped"));
}

net::awaitable<std::vector<outbound_worker::claimed_key>> outbound_worker::claim(std::size_t capacity) {
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
  for (const auto& k : in_flight_) skip.push_back(k);
  // Taken together with `skip`: a finished key is either still skipped or released first, so it is
  // never locked twice by this session (advisory locks stack).
  std::vector<key_ref> finished = std::move(to_unlock_);
  to_unlock_.clear();
  try {
    co_return co_await claim_pool_.run([this, capacity, &skip, &finished](pqxx::connection& conn) {
      pqxx::work tx(conn);
      locks_.release(tx, finished);
      auto out = claim_keys(tx, capacity, skip);
      tx.commit();
      return out;
    });
  } catch (...) {
    // If the session survived, the locks are still held: release them next time (releasing a
    // lock a new session does not hold is a no-op).
    to_unlock_.insert(to_unlock_.end(), finished.begin(), finished.end());
    throw;
  }
}

std::vector<outbound_worker::claimed_key> outbound_worker::claim_keys(pqxx::transaction_base& tx,
                                                                     std::size_t capacity,
                                                                     const std::vector<key_ref>& skip) {
  const auto keys = outbox_.due_keys(tx, static_cast<int>(capacity), skip, objects_);
  const auto locked = locks_.try_hold(tx, keys);
  std::vector<claimed_key> out;
  std::vector<key_ref> release;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (!locked[i]) continue;  // another daemon has it
    auto changes = outbox_.pending_changes(tx, keys[i], settings_.max_merge);
    if (changes.empty()) {  // finished by someone else between the two reads
      release.push_back(keys[i]);
      continue;
    }
    out.push_back({keys[i], std::move(changes), identities_.find(tx, keys[i].object, keys[i].key)});
  }
  locks_.release(tx, release);
  return out;
}

net::awaitable<void> outbound_worker::process(claimed_key claimed) {
  const auto started = clock::now();
  const auto& binding = bindings_.at(claimed.key.object);
  const merged_change change = merge_changes(claimed.changes);
  const std::optional<std::string> known =
      claimed.identity ? std::optional<std::string>(claimed.identity->entity_id) : std::nullopt;
  try {
    // Kizen ids of the rows this change references, from the identity map; for a create, the
    // referenced rows without one that it should wait for.
    std::map<std::pair<std::string, std::string>, std::string> reference_ids;
    std::vector<row_reference> wait_for;
    const auto refs = references_needed(binding, change, !known || change.began_with_insert);
    if (!refs.empty()) {
      co_await work_pool_.run([this, &refs, &reference_ids, &wait_for, &known, &change](pqxx::connection& conn) {
        pqxx::read_transaction tx(conn);
        for (const auto& r : refs) {
          if (auto id = identities_.find(tx, r.object, r.key)) {
            reference_ids[{r.object, r.key}] = id->entity_id;
          } else if (!known && create_waits_for(tx, r, change.ids.front())) {
            wait_for.push_back(r);
          }
        }
      });
    }
    const reference_lookup lookup = [&reference_ids](const row_reference& r) -> std::optional<std::string> {
      const auto it = reference_ids.find({r.object, r.key});
      if (it == reference_ids.end()) return std::nullopt;
      return it->second;
    };
    bool create_noted = false;
    const change_applier::before_create_hook before_create = [this, &change, &create_noted]() -> net::awaitable<void> {
      co_await work_pool_.run([this, &change](pqxx::connection& conn) {
        pqxx::work tx(conn);
        outbox_.note_attempt(tx, change.ids);
        tx.commit();
      });
      create_noted = true;
    };

    apply_outcome outcome;
    if (wait_for.empty()) {
      outcome = co_await applier_.apply(binding, change, known, lookup, before_create);
    } else {
      outcome.what = apply_outcome::kind::wait;
      outcome.waiting_for = wait_for;
      outcome.message = "waiting for referenced rows to reach Kizen first: " + describe(wait_for);
    }
    outcome.create_noted = create_noted;
    counters_.requests += static_cast<std::uint64_t>(outcome.requests);
    const auto result = co_await work_pool_.run(
        [&](pqxx::connection& conn) { return persist(conn, claimed, change, outcome); });
    if (result.next_wake) schedule_wake_in(*result.next_wake);

    const auto duration_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - started).count();
    const json::value entity = outcome.entity_id ? json::value(*outcome.entity_id) : json::value(nullptr);
    const json::value status = outcome.http_status ? json::value(*outcome.http_status) : json::value(nullptr);
    switch (result.what) {
      case apply_outcome::kind::applied:
      case apply_outcome::kind::nothing_to_do: {
        const auto lag = std::chrono::duration<double>(std::chrono::system_clock::now() - change.last_change_at);
        metrics_.add("kizen_sync_changes_applied_total", {{"object", claimed.key.object}},
                     static_cast<double>(result.changes));
        metrics_.set("kizen_sync_apply_latency_seconds", {{"object", claimed.key.object}}, lag.count());
        logger_->debug(log_line("change applied", {{"object", claimed.key.object}, {"key", claimed.key.key},
                                                   {"entity_id", entity}, {"op", op_name(change)},
                                                   {"path", outcome.path}, {"changes", result.changes},
                                                   {"attempt", change.attempts + 1},
                                                   {"duration_ms", duration_ms}}));
        break;
      }
      case apply_outcome::kind::retry:
        metrics_.add("kizen_sync_change_retries_total", {{"object", claimed.key.object}}, 1);
        logger_->warn(log_line("change failed; will retry",
                               {{"object", claimed.key.object}, {"key", claimed.key.key}, {"op", op_name(change)},
                                {"attempt", change.attempts + 1}, {"http_status", status},
                                {"error", result.message}, {"duration_ms", duration_ms}}));
        break;
      case apply_outcome::kind::dead:
        metrics_.add("kizen_sync_changes_dead_total", {{"object", claimed.key.object}},
                     static_cast<double>(result.changes));
        logger_->error(log_line("change dead-lettered; later changes of this key wait for a replay",
                                {{"object", claimed.key.object}, {"key", claimed.key.key}, {"op", op_name(change)},
                                 {"attempt", change.attempts + 1}, {"http_status", status},
                                 {"error", result.message}, {"change_ids", json::value_from(change.ids)}}));
        break;
      case apply_outcome::kind::wait:
        logger_->debug(log_line("change waits for referenced rows",
                                {{"object", claimed.key.object}, {"key", claimed.key.key}, {"reason", result.message}}));
        break;
    }
  } catch (const std::exception& e) {
    // Nothing was recorded: the changes stay pending. Keep the key aside for a while so a
    // persistent failure cannot turn into a tight loop of Kizen requests.
    logger_->error(log_line("processing a change failed; it stays queued",
                            {{"object", claimed.key.object}, {"key", claimed.key.key}, {"error", e.what()}}));
    cooldown_[claimed.key] = clock::now() + settings_.failure_cooldown;
    schedule_wake_in(settings_.failure_cooldown);
  }

  // The key lock is released by the next claim (woken below), in its transaction: one round trip
  // on the single claim session per key fewer, and that session is what bounds throughput.
  to_unlock_.push_back(claimed.key);
  in_flight_.erase(claimed.key);
  metrics_.set("kizen_sync_outbound_in_flight", {}, static_cast<double>(in_flight_.size()));
  if (in_flight_.empty()) drained_.cancel();
  wake();
}

bool outbound_worker::create_waits_for(pqxx::transaction_base& tx, const row_reference& ref,
                                       std::int64_t own_head) const {
  if (const auto head = outbox_.open_head(tx, {ref.object, ref.key}))
    return head->state == pg::outbox_state::pending && head->id < own_head;
  // Nothing queued: the row predates `migrate`. persist() queues it; wait for it only if it has no
  // relationship of its own to send (so it never waits in turn).
  const auto b = bindings_.find(ref.object);
  if (b == bindings_.end() || b->second.mapping->direction == config::sync_direction::from_kizen) return false;
  for (const auto& f : b->second.fields)
    if (f.sends() && f.mapping->references) return false;
  return rows_.image(tx, b->second.table, ref.key).has_value();
}

outbound_worker::persist_result outbound_worker::persist(pqxx::connection& conn, const claimed_key& claimed,
                                                         const merged_change& change,
                                                         const apply_outcome& outcome) {
  const auto& key = claimed.key;
  const config::object_mapping& mapping = *bindings_.at(key.object).mapping;
  persist_result result{outcome.what, outcome.message, change.ids.size(), std::nullopt};
  const int attempts = change.attempts + 1;
  std::optional<pg::timestamp> updated;
  if (outcome.kizen_updated) updated = std::chrono::time_point_cast<std::chrono::microseconds>(*outcome.kizen_updated);

  pqxx::work tx(conn);
  // The entity id write-back below is the daemon's own write: the capture trigger must skip it.
  pg::daemon_write(tx);

  auto dead = [&](const std::string& message, std::optional<int> status) {
    outbox_.mark_dead(tx, change.ids, attempts, message, status);
    result.what = apply_outcome::kind::dead;
    result.message = message;
    counters_.dead += change.ids.size();
  };

  if (outcome.forget_identity && claimed.identity) identities_.remove(tx, key.object, key.key);

  switch (outcome.what) {
    case apply_outcome::kind::applied:
    case apply_outcome::kind::nothing_to_do: {
      if (outcome.what == apply_outcome::kind::applied && change.action == merged_change::kind::write &&
          outcome.entity_id) {
        // What both sides now agree on, by column (read by the inbound sync to skip echoes).
        json::object synced = claimed.identity && !outcome.forget_identity ? claimed.identity->synced_values
                                                                           : json::object{};
        const auto& binding = bindings_.at(key.object);
        for (const auto& f : binding.fields) {
          if (!f.sends()) continue;
          const bool sent = change.began_with_insert || !claimed.identity || outcome.forget_identity ||
                            change.changed_columns.count(f.mapping->column) > 0;
          const bool left_out = std::find(outcome.follow_up_columns.begin(), outcome.follow_up_columns.end(),
                                          f.mapping->column) != outcome.follow_up_columns.end();
          if (!sent || left_out) continue;
          if (const auto it = change.after.find(f.mapping->column); it != change.after.end())
            synced[f.mapping->column] = it->value();
        }
        auto saved = identities_.save(tx, key.object, key.key, *outcome.entity_id, synced, updated);
        if (!saved) {
          // E.g. two rows with the same lookup value: Kizen holds one record for both.
          dead(saved.error().message, std::nullopt);
          break;
        }
        writer_.write_entity_id(tx, bindings_.at(key.object).table, key.key, *outcome.entity_id);
        if (!outcome.follow_up_columns.empty()) {
          // The create went out without references that had no Kizen id yet; send them later,
          // with the row's values as they are then.
          if (auto image = rows_.image(tx, bindings_.at(key.object).table, key.key))
            outbox_.enqueue(tx, key.object, key.key, pg::change_op::update, outcome.follow_up_columns, *image);
        }
      }
      outbox_.mark_done(tx, change.ids, outcome.entity_id, updated);
      counters_.applied += change.ids.size();
      break;
    }
    case apply_outcome::kind::retry: {
      // Throttled (429): Kizen did not act on the request, and the pool already holds every
      // request for the Retry-After. Waiting that out is no failed attempt, so throttling delays
      // changes but never dead-letters them; an add noted as attempted still counts (it tells
      // the next attempt to look for the record first).
      const int counted = outcome.throttled && !outcome.create_noted ? change.attempts : attempts;
      if (!outcome.throttled && !retry_policy_.should_retry(attempts)) {
        dead("gave up after " + std::to_string(attempts) + " attempts: " + outcome.message, outcome.http_status);
        break;
      }
      const auto delay = retry_policy_.next_delay(std::max(counted, 1), random_, outcome.retry_after);
      outbox_.schedule_retry(tx, change.ids, counted, delay, outcome.message, outcome.http_status);
      result.next_wake = delay;
      counters_.retried++;
      break;
    }
    case apply_outcome::kind::dead:
      dead(outcome.message, outcome.http_status);
      break;
    case apply_outcome::kind::wait: {
      std::vector<std::string> missing;
      bool stuck = false;
      for (const auto& ref : outcome.waiting_for) {
        const key_ref ref_key{ref.object, ref.key};
        const auto state = outbox_.open_state(tx, ref_key);
        if (state == pg::outbox_state::pending) continue;  // on its way
        // Read after the state (each statement sees what was committed when it started): a row
        // applied since the change was claimed has its identity now and must not be queued again.
        if (!state && identities_.find(tx, ref.object, ref.key)) continue;
        if (state == pg::outbox_state::dead) {
          stuck = true;
          continue;
        }
        const auto* ref_mapping = cfg_.find_object(ref.object);
        if (ref_mapping == nullptr) {
          missing.push_back(ref.object + "/" + ref.key + " (object not configured)");
          continue;
        }
        auto image = rows_.image(tx, bindings_.at(ref.object).table, ref.key);
        if (!image) {
          missing.push_back(ref.object + "/" + ref.key + " (no such row in " + ref_mapping->table_schema + "." +
                            ref_mapping->table + ")");
        } else if (ref_mapping->direction == config::sync_direction::from_kizen) {
          // Only a pull can give that row its identity: keep waiting.
        } else {
          // Never synced (e.g. it predates `migrate`): bring it to Kizen first.
          outbox_.enqueue(tx, ref.object, ref.key, pg::change_op::insert, pg::captured_columns(bindings_.at(ref.object).table), *image);
        }
      }
      if (!missing.empty()) {
        std::string list;
        for (const auto& m : missing) list += (list.empty() ? "" : ", ") + m;
        dead("references rows that do not exist: " + list, std::nullopt);
        break;
      }
      const auto wait = stuck ? settings_.stuck_reference_wait : settings_.reference_wait;
      const std::string reason =
          stuck ? outcome.message + " (one of them is dead-lettered: replay it first)" : outcome.message;
      outbox_.defer(tx, change.ids, wait, reason);
      result.message = reason;
      result.next_wake = wait;
      counters_.waited++;
      break;
    }
  }
  tx.commit();
  return result;
}

}  // namespace ks::engine
