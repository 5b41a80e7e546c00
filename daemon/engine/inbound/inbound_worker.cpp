#include "daemon/engine/inbound/inbound_worker.hpp"

#include "daemon/engine/inbound/pull_pacing.hpp"

#include "common/async/stoppable_sleep.hpp"
#include "common/log_line.hpp"
#include "daemon/engine/failure.hpp"
#include "daemon/engine/inbound/keyset_walk.hpp"
#include "daemon/engine/inbound/record_query.hpp"

#include <boost/asio/steady_timer.hpp>
#include <pqxx/pqxx>

namespace ks::engine {

namespace net = boost::asio;
namespace json = boost::json;
using clock = std::chrono::steady_clock;

namespace {

bool pulls(const config::object_mapping& m) { return m.direction != config::sync_direction::to_kizen; }

}  // namespace

inbound_worker::inbound_worker(net::any_io_executor executor, inbound_context context, inbound_settings settings)
    : executor_(executor),
      ctx_(std::move(context)),
      settings_(settings),
      cursors_(ctx_.schema),
      failures_(ctx_.schema),
      records_(ctx_, settings.records),
      reconciles_(ctx_, records_),
      loops_(executor, [this](std::string_view object, std::exception_ptr e) {
        ctx_.logger->error(
            log_line("inbound loop failed", {{"object", std::string(object)}, {"error", failure_of(e).describe()}}));
      }) {
  ctx_.metrics.describe("kizen_sync_last_pull_timestamp_seconds", metrics_sink::kind::gauge,
                        "Unix time of the last successful pull, per object.");
  ctx_.metrics.describe("kizen_sync_pull_search_requests_total", metrics_sink::kind::counter,
                        "Search requests of the pulls (keyset pages), per object.");
}

net::awaitable<void> inbound_worker::run(std::stop_token stop) {
  for (const auto& [name, binding] : ctx_.bindings)
    if (pulls(*binding.mapping)) loops_.spawn(name, loop(binding, stop));
  co_await loops_.join();
}

net::awaitable<void> inbound_worker::loop(const object_binding& object, std::stop_token stop) {
  const auto& m = *object.mapping;
  net::steady_timer timer(executor_);
  backoff failures({m.pull_interval, std::max(m.pull_interval, settings_.max_failure_backoff)});
  pull_pacing pacing(m.pull_interval, m.pull_idle_interval.value_or(4 * m.pull_interval));
  auto last_reconcile = clock::now();
  // A walk saved before a restart goes on at once; a new one every reconcile_interval. Either
  // runs in slices between pulls, so the pulls never wait for a whole walk.
  bool reconciling = false;
  try {
    reconciling = co_await reconciles_.under_way(object);
  } catch (const std::exception&) {
    // PostgreSQL unreachable: the first pass's errors say so
  }
  inbound_stats reconciled;
  ctx_.logger->info(
      log_line("inbound sync started",
               {{"object", m.object}, {"pull_interval_ms", static_cast<std::int64_t>(m.pull_interval.count())}}));
  while (!stop.stop_requested()) {
    std::chrono::milliseconds wait = m.pull_interval;
    std::exception_ptr error;
    try {
      const auto stats = co_await pull(object, stop);
      // A walk under way keeps the object busy; otherwise only records written count as news.
      wait = pacing.after_pull(stats.written > 0 || stats.failed > 0 || reconciling);
      if (stats.written > 0 || stats.failed > 0)
        ctx_.logger->info(log_line(
            "pulled",
            {{"object", m.object}, {"records", stats.seen}, {"written", stats.written}, {"failed", stats.failed}}));
      if (!stop.stop_requested()) co_await retry_failures(object);
      if ((reconciling || clock::now() - last_reconcile >= m.reconcile_interval) && !stop.stop_requested()) {
        reconciling = true;
        auto slice = co_await reconciles_.step(object, stop, settings_.reconcile_pages_per_pass);
        reconciled += slice.stats;
        if (slice.finished) {
          reconciling = false;
          last_reconcile = clock::now();
          ctx_.logger->info(log_line("reconciled", {{"object", m.object},
                                                    {"records", reconciled.seen},
                                                    {"written", reconciled.written},
                                                    {"archived", reconciled.archived},
                                                    {"failed", reconciled.failed}}));
          reconciled = {};
        }
      }
    } catch (...) {
      error = std::current_exception();
    }
    if (error) {
      auto f = failure_of(error);
      wait = failures.next();
      ctx_.logger->error(log_line(
          "pull failed; retrying",
          {{"object", m.object}, {"error", f.describe()}, {"retry_in_ms", static_cast<std::int64_t>(wait.count())}}));
      ctx_.metrics.add("kizen_sync_pull_failures_total", {{"object", m.object}}, 1);
      failing_[m.object] = std::move(f);
    } else {
      failures.reset();
      failing_.erase(m.object);
    }
    co_await stoppable_sleep(timer, wait, stop);
  }
}

net::awaitable<inbound_stats> inbound_worker::pull(const object_binding& object, std::stop_token stop) {
  const auto& m = *object.mapping;
  inbound_stats total;
  std::exception_ptr error;
  try {
    total = co_await pull_pages(object, stop);
  } catch (...) {
    error = std::current_exception();
  }
  // Every pull is recorded, a failed one with why: status shows it (best effort when PostgreSQL
  // itself is what failed).
  std::optional<std::string> pull_error;
  if (error)
    pull_error = failure_of(error).describe();
  else if (total.failed > 0)
    pull_error = std::to_string(total.failed) + " record(s) could not be applied: " + total.errors.front();
  try {
    co_await ctx_.pool.run([&](pqxx::connection& conn) {
      pqxx::work tx(conn);
      cursors_.record_pull(tx, m.object, pull_error, total.written);
      tx.commit();
    });
  } catch (const std::exception&) {
    if (!error) throw;
  }
  if (error) std::rethrow_exception(error);
  ctx_.metrics.set("kizen_sync_last_pull_timestamp_seconds", {{"object", m.object}},
                   std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count());
  co_return total;
}

net::awaitable<inbound_stats> inbound_worker::pull_pages(const object_binding& object, std::stop_token stop) {
  const auto& m = *object.mapping;
  const auto cursor = co_await ctx_.pool.run([&](pqxx::connection& conn) {
    pqxx::read_transaction tx(conn);
    return cursors_.get(tx, m.object);
  });
  const auto query = records_query(object, "updated", settings_.records.page_size);
  std::optional<kizen::timestamp> from;
  if (cursor.updated) from = *cursor.updated - std::chrono::duration_cast<std::chrono::microseconds>(settings_.overlap);
  // Keyset pages (a fresh search from the last `updated` met), never offset pages over `updated`.
  keyset_walk walk("updated", from, {settings_.records.page_size});
  inbound_stats total;
  while (!walk.done() && !stop.stop_requested()) {
    const auto search = walk.next();
    auto q = query;
    if (search.filter) q.groups.push_back({true, {*search.filter}});
    auto page = co_await ctx_.client.search_records(m.object, std::move(q),
                                                    search.page > 1 ? std::optional<int>(search.page) : std::nullopt);
    if (!page) throw std::runtime_error("search " + m.object + ": " + page.error().message);
    const auto fresh = walk.take(*page);
    if (fresh.empty()) continue;
    std::optional<std::pair<kizen::timestamp, std::string>> last;
    for (const auto& r : fresh)
      if (r.updated && (!last || std::pair{*r.updated, r.id} > *last)) last = std::pair{*r.updated, r.id};
    total += co_await records_.apply(object, fresh, last);
  }
  ctx_.metrics.add("kizen_sync_pull_search_requests_total", {{"object", m.object}},
                   static_cast<double>(walk.requests()));
  // The records not met wait for the next pull, which starts where this one stopped.
  if (!walk.problem().empty()) throw std::runtime_error("pull of " + m.object + ": " + walk.problem());
  co_return total;
}

net::awaitable<inbound_stats> inbound_worker::retry_failures(const object_binding& object) {
  const auto& m = *object.mapping;
  const auto due = co_await ctx_.pool.run([&](pqxx::connection& conn) {
    pqxx::read_transaction tx(conn);
    return failures_.due(tx, m.object, settings_.failure_batch);
  });
  inbound_stats total;
  if (due.empty()) co_return total;
  std::vector<kizen::record> records;
  std::vector<std::string> gone;
  const auto fields = records_query(object, "", 1).field_names;
  for (const auto& f : due) {
    auto rec = co_await ctx_.client.get_record(m.object, f.entity_id, fields);
    if (rec) {
      records.push_back(std::move(*rec));
    } else if (rec.error().http_status == 404) {
      gone.push_back(f.entity_id);  // archived in Kizen: nothing left to apply (reconcile handles its row)
    } else {
      break;  // Kizen is in trouble: the rest waits for the next pass, as it is
    }
  }
  if (!gone.empty()) {
    co_await ctx_.pool.run([&](pqxx::connection& conn) {
      pqxx::work tx(conn);
      failures_.clear(tx, m.object, gone);
      tx.commit();
    });
  }
  if (!records.empty()) total = co_await records_.apply(object, records, std::nullopt);
  if (total.seen > 0)
    ctx_.logger->info(log_line(
        "retried records of the inbound failure list",
        {{"object", m.object}, {"records", total.seen}, {"written", total.written}, {"failed", total.failed}}));
  co_return total;
}

net::awaitable<reconcile_walk::slice> inbound_worker::reconcile_step(const object_binding& object, int pages,
                                                                     std::stop_token stop) {
  co_return co_await reconciles_.step(object, stop, pages);
}

net::awaitable<inbound_stats> inbound_worker::reconcile(const object_binding& object, std::stop_token stop) {
  co_return co_await reconciles_.run(object, stop);
}

}  // namespace ks::engine
