#include "daemon/engine/inbound/inbound_worker.hpp"

#include "common/async/stoppable_sleep.hpp"
#include "common/log_line.hpp"
#include "daemon/engine/failure.hpp"
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
      records_(ctx_, settings.records),
      reconciles_(ctx_, records_),
      loops_(executor, [this](std::string_view object, std::exception_ptr e) {
        ctx_.logger->error(
            log_line("inbound loop failed", {{"object", std::string(object)}, {"error", failure_of(e).describe()}}));
      }) {
  ctx_.metrics.describe("kizen_sync_last_pull_timestamp_seconds", metrics_sink::kind::gauge,
                        "Unix time of the last successful pull, per object.");
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
  auto last_reconcile = clock::now();
  ctx_.logger->info(
      log_line("inbound sync started",
               {{"object", m.object}, {"pull_interval_ms", static_cast<std::int64_t>(m.pull_interval.count())}}));
  while (!stop.stop_requested()) {
    std::chrono::milliseconds wait = m.pull_interval;
    try {
      const auto stats = co_await pull(object, stop);
      if (stats.written > 0 || stats.failed > 0)
        ctx_.logger->info(log_line(
            "pulled",
            {{"object", m.object}, {"records", stats.seen}, {"written", stats.written}, {"failed", stats.failed}}));
      if (clock::now() - last_reconcile >= m.reconcile_interval && !stop.stop_requested()) {
        last_reconcile = clock::now();
        const auto r = co_await reconcile(object, stop);
        ctx_.logger->info(log_line("reconciled", {{"object", m.object},
                                                  {"records", r.seen},
                                                  {"written", r.written},
                                                  {"archived", r.archived},
                                                  {"failed", r.failed}}));
      }
      failures.reset();
    } catch (const std::exception& e) {
      wait = failures.next();
      ctx_.logger->error(log_line(
          "pull failed; retrying",
          {{"object", m.object}, {"error", e.what()}, {"retry_in_ms", static_cast<std::int64_t>(wait.count())}}));
      ctx_.metrics.add("kizen_sync_pull_failures_total", {{"object", m.object}}, 1);
    }
    co_await stoppable_sleep(timer, wait, stop);
  }
}

net::awaitable<inbound_stats> inbound_worker::pull(const object_binding& object, std::stop_token stop) {
  const auto& m = *object.mapping;
  const auto cursor = co_await ctx_.pool.run([&](pqxx::connection& conn) {
    pqxx::read_transaction tx(conn);
    return cursors_.get(tx, m.object);
  });
  auto query = records_query(object, "updated", settings_.records.page_size);
  if (cursor.updated) {
    const auto from = *cursor.updated - std::chrono::duration_cast<std::chrono::microseconds>(settings_.overlap);
    query.groups.push_back(
        {true, {kizen::search_filter::builtin("updated", ">=", json::value(kizen::format_timestamp(from)))}});
  }
  inbound_stats total;
  auto page = co_await ctx_.client.search_records(m.object, query);
  std::string error;
  for (;;) {
    if (!page) {
      error = page.error().message;
      break;
    }
    std::optional<std::pair<kizen::timestamp, std::string>> last;
    for (const auto& r : page->results)
      if (r.updated && (!last || std::pair{*r.updated, r.id} > *last)) last = std::pair{*r.updated, r.id};
    total += co_await records_.apply(object, page->results, last);
    if (!page->next || stop.stop_requested()) break;
    page = co_await ctx_.client.search_next(*page->next, query);
  }
  const std::optional<std::string> pull_error =
      !error.empty()
          ? std::optional<std::string>(error)
          : (total.failed > 0 ? std::optional<std::string>(std::to_string(total.failed) +
                                                           " record(s) could not be applied: " + total.errors.front())
                              : std::nullopt);
  co_await ctx_.pool.run([&](pqxx::connection& conn) {
    pqxx::work tx(conn);
    cursors_.record_pull(tx, m.object, pull_error, total.written);
    tx.commit();
  });
  if (!error.empty()) throw std::runtime_error("search " + m.object + ": " + error);
  ctx_.metrics.set("kizen_sync_last_pull_timestamp_seconds", {{"object", m.object}},
                   std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count());
  co_return total;
}

net::awaitable<inbound_stats> inbound_worker::reconcile(const object_binding& object, std::stop_token stop) {
  co_return co_await reconciles_.run(object, stop);
}

}  // namespace ks::engine
