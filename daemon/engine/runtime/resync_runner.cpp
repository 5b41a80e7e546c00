#include "daemon/engine/runtime/resync_runner.hpp"

#include "common/async/stoppable_sleep.hpp"
#include "common/async/task_group.hpp"
#include "common/log_line.hpp"
#include "common/metrics_sink.hpp"
#include "config/connector_settings.hpp"
#include "connectors/postgres/resync_store.hpp"
#include "daemon/engine/failure.hpp"
#include "daemon/engine/inbound/inbound_worker.hpp"
#include "daemon/engine/inbound/keyset_walk.hpp"
#include "daemon/engine/inbound/record_query.hpp"
#include "daemon/engine/outbound/outbound_worker.hpp"
#include "daemon/engine/runtime/engine_settings.hpp"

#include <boost/asio/steady_timer.hpp>
#include <pqxx/pqxx>

namespace ks::engine {

namespace net = boost::asio;
using namespace std::chrono_literals;
using clock = std::chrono::steady_clock;

namespace {

constexpr int queue_batch = 500;
constexpr auto apply_poll = 500ms;  // how often the applying phase looks at what is left

class progress_meter {
 public:
  explicit progress_meter(std::int64_t done_at_start) : start_(clock::now()), done_at_start_(done_at_start) {}
  resync_progress_report report(std::string phase, std::int64_t done, std::int64_t total) const {
    resync_progress_report r{std::move(phase), done, total, 0, std::nullopt};
    const double secs = std::chrono::duration<double>(clock::now() - start_).count();
    if (secs > 0.5 && done > done_at_start_) {
      r.rate_per_second = static_cast<double>(done - done_at_start_) / secs;
      if (total > done)
        r.eta = std::chrono::seconds(static_cast<long>(static_cast<double>(total - done) / r.rate_per_second));
      else
        r.eta = std::chrono::seconds(0);
    }
    return r;
  }

 private:
  clock::time_point start_;
  std::int64_t done_at_start_;
};

// The saved progress of an unfinished resync to resume (unless `restart`), or a fresh one, saved
// (`count_rows`: its total is the table's row count now). `resumed` says which.
pg::resync_progress resume_or_start(pqxx::connection& conn, const pg::resync_store& store,
                                    const pg::table_mapping& table, const std::string& direction, bool restart,
                                    bool count_rows, bool& resumed) {
  pqxx::work tx(conn);
  auto saved = store.load(tx, table.object, direction);
  if (saved && !restart && !saved->finished) {
    resumed = true;
    return *saved;
  }
  pg::resync_progress fresh;
  fresh.object = table.object;
  fresh.direction = direction;
  if (count_rows) fresh.total = store.count_rows(tx, table);
  store.save(tx, fresh);
  tx.commit();
  return fresh;
}

}  // namespace

struct resync_runner::parts {
  net::any_io_executor executor;
  config::config cfg;
  progress_callback on_progress;
  engine_settings settings = engine_settings_from(cfg);
  null_metrics metrics;  // a resync reports through its progress line
  std::shared_ptr<spdlog::logger> logger;
  engine_parts engine;
  std::unique_ptr<outbound_worker> outbound;
  std::unique_ptr<inbound_worker> inbound;
  net::steady_timer timer;
  std::stop_source stop;
  std::stop_source outbound_stop;
  task_group workers;

  parts(net::any_io_executor ex, config::config c, progress_callback cb, logger_factory loggers)
      : executor(ex),
        cfg(std::move(c)),
        on_progress(std::move(cb)),
        logger(loggers("resync")),
        engine(ex, cfg, settings, std::move(loggers), "kizen-sync resync"),
        timer(ex),
        workers(ex, [this](std::string_view, std::exception_ptr e) {
          logger->error(log_line("the outbound worker failed", {{"error", failure_of(e).describe()}}));
        }) {}

  // Stops the outbound worker (if any) and waits for it, so nothing outlives the runner.
  net::awaitable<void> finish_worker() {
    outbound_stop.request_stop();
    co_await workers.join();
  }

  // One resync under way: it goes on from `progress` (resumed or fresh) and fills `result`.
  struct job {
    const object_binding& binding;
    pg::resync_store& store;
    pg::resync_progress& progress;
    resync_result& result;
  };
  net::awaitable<ks::result<resync_result, std::string>> to_kizen(job j);
  net::awaitable<ks::result<resync_result, std::string>> from_kizen(job j);
};

resync_runner::resync_runner(net::any_io_executor executor, config::config cfg, progress_callback on_progress,
                             logger_factory loggers)
    : parts_(std::make_unique<parts>(executor, std::move(cfg), std::move(on_progress), std::move(loggers))) {}

resync_runner::~resync_runner() = default;

void resync_runner::stop() {
  parts_->stop.request_stop();
  parts_->timer.cancel();
}

net::awaitable<ks::result<resync_result, std::string>> resync_runner::run(resync_request request) {
  auto& p = *parts_;
  const auto* mapping = p.cfg.find_object(request.object);
  if (!mapping) co_return ks::fail("object '" + request.object + "' is not in " + p.cfg.source_file);
  if (request.to_kizen && mapping->direction == config::sync_direction::from_kizen)
    co_return ks::fail("object '" + request.object + "' syncs from_kizen only: it cannot be resynced to Kizen");
  if (!request.to_kizen && mapping->direction == config::sync_direction::to_kizen)
    co_return ks::fail("object '" + request.object + "' syncs to_kizen only: it cannot be resynced from Kizen");

  auto all = [](const std::vector<std::string>& problems) {
    std::string out;
    for (const auto& problem : problems) out += (out.empty() ? "" : "\n") + problem;
    return out;
  };
  auto checked = co_await p.engine.check_schema(/*verify_triggers=*/false);
  if (!checked) co_return ks::fail(all(checked.error().problems));
  auto bound = co_await p.engine.bind_to_kizen();
  if (!bound) co_return ks::fail(all(bound.error().problems));
  const auto& binding = p.engine.bindings().at(request.object);
  std::string failure;
  std::optional<ks::result<resync_result, std::string>> outcome;
  try {
    pg::resync_store store(p.cfg.postgres.schema);
    resync_result result;
    const std::string direction = request.to_kizen ? "to_kizen" : "from_kizen";
    auto progress = co_await p.engine.work_pool().run([&](pqxx::connection& conn) {
      return resume_or_start(conn, store, binding.table, direction, request.restart, request.to_kizen, result.resumed);
    });
    p.logger->info(log_line(
        result.resumed ? "resync resumed" : "resync started",
        {{"object", request.object}, {"direction", direction}, {"total", progress.total}, {"done", progress.done}}));
    // if/else, not ?: — GCC 12 evaluates both co_await operands of a conditional expression.
    const parts::job j{binding, store, progress, result};
    if (request.to_kizen)
      outcome = co_await p.to_kizen(j);
    else
      outcome = co_await p.from_kizen(j);
  } catch (const std::exception& e) {
    failure = e.what();
  }
  co_await p.finish_worker();
  if (!failure.empty()) co_return ks::fail(failure + " (progress is saved: run the resync again to resume)");
  co_return std::move(*outcome);
}

net::awaitable<ks::result<resync_result, std::string>> resync_runner::parts::to_kizen(job j) {
  const auto& b = j.binding;
  const auto& m = *b.mapping;
  auto& work_pool = engine.work_pool();

  // The worker applies what is queued while the rest is being queued.
  outbound = std::make_unique<outbound_worker>(executor, cfg.postgres.schema, engine.bindings(), engine.client(),
                                               engine.claim_pool(), work_pool, metrics, engine.logger("outbound"),
                                               settings.outbound);
  workers.spawn("outbound", outbound->run(outbound_stop.get_token()));

  progress_meter queue_meter(j.progress.done);
  while (!stop.stop_requested()) {
    const auto after = j.progress.position.contains("last_key")
                           ? std::optional<std::string>(std::string(j.progress.position.at("last_key").as_string()))
                           : std::nullopt;
    const auto batch = co_await work_pool.run([&](pqxx::connection& conn) {
      pqxx::work tx(conn);
      auto queued = j.store.enqueue_rows(tx, b.table, after, queue_batch);
      j.progress.done += queued.rows;
      if (queued.last_key) j.progress.position["last_key"] = *queued.last_key;
      if (!j.progress.first_change_id) j.progress.first_change_id = queued.first_change_id;
      j.progress.total = std::max(j.progress.total, j.progress.done);
      j.store.save(tx, j.progress);
      tx.commit();
      return queued;
    });
    outbound->wake();
    if (on_progress) on_progress(queue_meter.report("queueing", j.progress.done, j.progress.total));
    if (batch.rows < queue_batch) break;
  }

  // Wait until what was queued is applied (or dead).
  progress_meter apply_meter(0);
  pg::queued_outcome outcome;
  while (!stop.stop_requested() && j.progress.first_change_id) {
    outcome = co_await work_pool.run([&](pqxx::connection& conn) {
      pqxx::read_transaction tx(conn);
      return j.store.outcome_since(tx, m.object, *j.progress.first_change_id);
    });
    const auto finished = outcome.done + outcome.dead;
    if (on_progress) on_progress(apply_meter.report("applying", finished, finished + outcome.pending));
    if (outcome.pending == 0) break;
    co_await stoppable_sleep(timer, apply_poll, stop.get_token());
  }
  co_await finish_worker();

  j.result.completed = !stop.stop_requested();
  j.result.total = j.progress.total;
  j.result.done = outcome.done;
  j.result.dead = outcome.dead;
  if (j.result.completed) {
    j.progress.finished = true;
    co_await work_pool.run([&](pqxx::connection& conn) {
      pqxx::work tx(conn);
      j.store.save(tx, j.progress);
      tx.commit();
    });
  }
  co_return j.result;
}

net::awaitable<ks::result<resync_result, std::string>> resync_runner::parts::from_kizen(job j) {
  const auto& b = j.binding;
  const auto& m = *b.mapping;
  auto& work_pool = engine.work_pool();
  inbound = std::make_unique<inbound_worker>(executor,
                                             inbound_context{cfg.postgres.schema, engine.bindings(), engine.client(),
                                                             work_pool, metrics, engine.logger("inbound")},
                                             settings.inbound);
  const auto query = records_query(b, "created", settings.inbound.records.page_size);
  // Keyset pages in creation order (never offset pages: records archived meanwhile would shift
  // them); resumes from the `created` of the last record written (re-writing is a no-op).
  std::optional<kizen::timestamp> from;
  if (const auto* at = j.progress.position.if_contains("created"); at && at->is_string())
    from = kizen::parse_timestamp(at->get_string());
  keyset_walk walk("created", from, {settings.inbound.records.page_size});
  progress_meter meter(j.progress.done);
  while (!stop.stop_requested() && !walk.done()) {
    const auto search = walk.next();
    auto q = query;
    if (search.filter) q.groups.push_back({true, {*search.filter}});
    auto r = co_await engine.client().search_records(m.object, std::move(q),
                                                     search.page > 1 ? std::optional<int>(search.page) : std::nullopt);
    if (!r)
      co_return ks::fail("search " + m.object + ": " + r.error().message +
                         " (progress is saved: run the resync again to resume)");
    if (!search.filter) j.progress.total = r->count;  // the first search sees every record
    const auto fresh = walk.take(*r);
    const auto stats = co_await inbound->records().apply(b, fresh, std::nullopt);
    j.result.failed += stats.failed;
    // After a resume the first page re-reads the records at the saved `created`: counted before.
    for (const auto& rec : fresh)
      if (!(from && rec.created == from)) ++j.progress.done;
    from.reset();
    j.progress.total = std::max(j.progress.total, j.progress.done);
    if (walk.position()) j.progress.position["created"] = kizen::format_timestamp(*walk.position());
    j.progress.finished = walk.done() && walk.problem().empty();
    co_await work_pool.run([&](pqxx::connection& conn) {
      pqxx::work tx(conn);
      j.store.save(tx, j.progress);
      tx.commit();
    });
    if (on_progress) on_progress(meter.report("pulling", j.progress.done, j.progress.total));
  }
  if (!walk.problem().empty())
    co_return ks::fail("resync of " + m.object + ": " + walk.problem() +
                       " (progress is saved: run the resync again to resume)");
  j.result.completed = walk.done();
  j.result.done = j.progress.done;
  j.result.total = j.progress.total;
  co_return j.result;
}

}  // namespace ks::engine
