#include "daemon/engine/runtime/housekeeping.hpp"

#include "common/async/stoppable_sleep.hpp"
#include "common/log_line.hpp"
#include "daemon/engine/failure.hpp"

#include <boost/asio/steady_timer.hpp>
#include <pqxx/pqxx>

namespace ks::engine {

namespace net = boost::asio;
using clock = std::chrono::steady_clock;

housekeeping::housekeeping(net::any_io_executor executor, const std::string& schema, std::vector<std::string> objects,
                           pg::db_pool& pool, const outbound_worker& outbound, metrics_sink& metrics,
                           std::shared_ptr<spdlog::logger> logger, housekeeping_settings settings)
    : executor_(executor),
      pool_(pool),
      outbound_(outbound),
      metrics_(metrics),
      logger_(std::move(logger)),
      settings_(settings),
      outbox_(schema),
      failures_(schema),
      objects_(std::move(objects)),
      chores_(executor, [this](std::string_view chore, std::exception_ptr e) {
        logger_->error(
            log_line("housekeeping chore ended", {{"chore", std::string(chore)}, {"error", failure_of(e).describe()}}));
      }) {
  metrics_.describe("kizen_sync_outbox_backlog", metrics_sink::kind::gauge, "Pending outbox changes.");
  metrics_.describe("kizen_sync_outbox_dead", metrics_sink::kind::gauge, "Dead-lettered outbox changes.");
  metrics_.describe("kizen_sync_inbound_failures", metrics_sink::kind::gauge,
                    "Kizen records waiting in the inbound failure list.");
  metrics_.describe("kizen_sync_inbound_failure_oldest_seconds", metrics_sink::kind::gauge,
                    "How long the longest-failing Kizen record has been in the inbound failure list.");
}

net::awaitable<void> housekeeping::run(std::stop_token stop) {
  chores_.spawn("backlog",
                periodically("backlog", settings_.backlog_interval, &housekeeping::refresh_backlog, true, stop));
  if (settings_.retention.count() > 0)
    chores_.spawn("purge", periodically("purge", settings_.purge_interval, &housekeeping::purge_applied, true, stop));
  chores_.spawn("summary", periodically("summary", settings_.summary_interval, &housekeeping::summarize, false, stop));
  co_await chores_.join();
}

net::awaitable<void> housekeeping::periodically(const char* name, std::chrono::milliseconds period, chore pass,
                                                bool at_once, std::stop_token stop) {
  net::steady_timer timer(executor_);
  // Not `at_once || co_await ...`: GCC 12 mishandles co_await in conditional expressions.
  bool due = at_once;
  if (!due) due = co_await stoppable_sleep(timer, period, stop);
  while (due) {
    std::exception_ptr error;
    try {
      co_await (this->*pass)();
    } catch (...) {
      error = std::current_exception();
    }
    if (error)
      logger_->warn(log_line("housekeeping failed", {{"chore", name}, {"error", failure_of(error).describe()}}));
    due = co_await stoppable_sleep(timer, period, stop);
  }
}

net::awaitable<void> housekeeping::refresh_backlog() {
  auto both = co_await pool_.run([this](pqxx::connection& conn) {
    pqxx::read_transaction tx(conn);
    return std::pair{outbox_.backlog(tx), failures_.summary(tx)};
  });
  const auto& backlog = both.first;
  inbound_failures_ = std::move(both.second);
  const auto now = std::chrono::system_clock::now();
  for (const auto& object : objects_) {
    double count = 0, oldest = 0;
    for (const auto& f : inbound_failures_) {
      if (f.object != object) continue;
      count = static_cast<double>(f.count);
      if (f.oldest) oldest = std::chrono::duration<double>(now - *f.oldest).count();
    }
    metrics_.set("kizen_sync_inbound_failures", {{"object", object}}, count);
    metrics_.set("kizen_sync_inbound_failure_oldest_seconds", {{"object", object}}, oldest);
  }
  metrics_.clear("kizen_sync_outbox_backlog");
  metrics_.clear("kizen_sync_outbox_dead");
  for (const auto& b : backlog) {
    metrics_.set("kizen_sync_outbox_backlog", {{"object", b.object}}, static_cast<double>(b.pending));
    metrics_.set("kizen_sync_outbox_dead", {{"object", b.object}}, static_cast<double>(b.dead));
  }
}

net::awaitable<void> housekeeping::purge_applied() {
  const auto purged = co_await pool_.run([this](pqxx::connection& conn) {
    std::int64_t total = 0;
    for (;;) {  // small batches: never a long lock on the outbox
      pqxx::work tx(conn);
      const auto n = outbox_.purge_done(tx, settings_.retention, settings_.purge_batch);
      tx.commit();
      total += n;
      if (n < settings_.purge_batch) return total;
    }
  });
  if (purged > 0) logger_->info(log_line("purged applied changes past retention", {{"rows", purged}}));
}

net::awaitable<void> housekeeping::summarize() {
  const auto backlog = co_await pool_.run([this](pqxx::connection& conn) {
    pqxx::read_transaction tx(conn);
    return outbox_.backlog(tx);
  });
  std::int64_t pending = 0, dead = 0;
  for (const auto& b : backlog) {
    pending += b.pending;
    dead += b.dead;
  }
  const auto now = clock::now();
  const auto& c = outbound_.counters();
  const double secs = std::chrono::duration<double>(now - last_summary_).count();
  const auto applied = c.applied.load();
  logger_->info(log_line("summary", {{"applied", applied - applied_before_},
                                     {"retried", c.retried.load() - retried_before_},
                                     {"dead_lettered", c.dead.load() - dead_before_},
                                     {"backlog", pending},
                                     {"dead_total", dead},
                                     {"in_flight", static_cast<std::int64_t>(outbound_.in_flight())},
                                     {"rate_per_second", static_cast<double>(applied - applied_before_) / secs}}));
  applied_before_ = applied;
  dead_before_ = c.dead.load();
  retried_before_ = c.retried.load();
  last_summary_ = now;
}

}  // namespace ks::engine
