#include "daemon/engine/runtime/sync_engine.hpp"

#include "config/connector_settings.hpp"
#include "common/log_line.hpp"
#include "connectors/postgres/capture_trigger.hpp"
#include "connectors/postgres/migrator.hpp"
#include "connectors/postgres/outbox_store.hpp"
#include "daemon/engine/runtime/engine_settings.hpp"
#include "daemon/service/logging.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <pqxx/pqxx>

namespace ks::engine {

namespace net = boost::asio;
using namespace std::chrono_literals;


sync_engine::sync_engine(net::any_io_executor executor, config::config cfg, service::metrics& metrics)
    : executor_(executor),
      cfg_(std::move(cfg)),
      metrics_(metrics),
      logger_(service::make_logger("engine")),
      timer_(executor),
      finished_(executor) {
  claim_pool_ = std::make_unique<pg::db_pool>(config::pool_settings(cfg_.postgres, "kizen-sync claim", 1));
  work_pool_ = std::make_unique<pg::db_pool>(
      config::pool_settings(cfg_.postgres, "kizen-sync", std::clamp(cfg_.kizen.max_connections, 2, 4)));
  inbound_pool_ = std::make_unique<pg::db_pool>(config::pool_settings(cfg_.postgres, "kizen-sync inbound", 2));
  metrics_.describe("kizen_sync_outbox_backlog", metrics_sink::kind::gauge, "Pending outbox changes.");
  metrics_.describe("kizen_sync_outbox_dead", metrics_sink::kind::gauge, "Dead-lettered outbox changes.");
  metrics_.describe("kizen_sync_up", metrics_sink::kind::gauge, "1 once the sync runs, 0 while starting.");
  metrics_.set("kizen_sync_up", {}, 0);
}

sync_engine::~sync_engine() = default;

net::awaitable<void> sync_engine::pause(std::chrono::milliseconds d) {
  timer_.expires_after(d);
  co_await timer_.async_wait(net::as_tuple(net::use_awaitable));
}

net::awaitable<ks::result<void, std::vector<std::string>>> sync_engine::start() {
  auto backoff = 500ms;
  auto wait = [&](std::string why) -> net::awaitable<void> {
    if (waiting_for_ != why) logger_->warn(log_line("waiting before the sync can start", {{"reason", why}}));
    waiting_for_ = std::move(why);
    co_await pause(backoff);
    backoff = std::min(backoff * 2, std::chrono::milliseconds(30s));
  };

  // 1. The sync schema is migrated and the capture triggers match the config.
  while (!stopping_) {
    std::string failure;
    std::vector<std::string> problems;
    try {
      problems = co_await work_pool_->run([this](pqxx::connection& conn) {
        pg::migrator migrator;
        std::vector<std::string> out;
        if (!migrator.pending_migrations(conn, cfg_.postgres.schema).empty()) {
          out.push_back("the sync schema '" + cfg_.postgres.schema + "' is missing or outdated: run `kizen-sync migrate -c " +
                        cfg_.source_file + "`");
          return out;
        }
        out = migrator.verify_capture_triggers(conn, cfg_.postgres.schema, config::table_mappings(cfg_));
        return out;
      });
    } catch (const std::exception& e) {
      failure = e.what();
    }
    if (failure.empty()) {
      if (!problems.empty()) co_return ks::fail(std::move(problems));
      break;
    }
    co_await wait("PostgreSQL unreachable: " + failure);
  }

  // 2. Kizen's field metadata: every mapped object and field exists, with its id and type.
  auto client = kizen::client::create(executor_, config::kizen_client_settings(cfg_.kizen), service::make_logger("kizen"));
  if (!client) co_return ks::fail(std::vector<std::string>{client.error().message});
  client_ = std::move(*client);
  backoff = 500ms;
  while (!stopping_) {
    auto bound = co_await bind_to_kizen(*client_, cfg_);
    if (bound) {
      bindings_ = std::move(*bound);
      break;
    }
    if (!bound.error().retryable) co_return ks::fail(std::move(bound.error().problems));
    co_await wait(bound.error().problems.front());
  }
  if (stopping_) co_return ks::ok;

  outbound_ = std::make_unique<outbound_worker>(executor_, cfg_.postgres.schema, bindings_, *client_, *claim_pool_,
                                                *work_pool_, metrics_, service::make_logger("outbound"),
                                                outbound_settings_from(cfg_));
  inbound_ = std::make_unique<inbound_puller>(executor_, cfg_, bindings_, *client_, *inbound_pool_, metrics_,
                                              service::make_logger("inbound"));
  listener_ = std::make_unique<pg::change_listener>(executor_, cfg_.postgres.url,
                                                    pg::notify_channel(cfg_.postgres.schema),
                                                    service::make_logger("listener"));
  started_ = true;
  waiting_for_.clear();
  metrics_.set("kizen_sync_up", {}, 1);
  logger_->info(log_line("sync started", {{"objects", static_cast<std::int64_t>(bindings_.size())},
                                          {"schema", cfg_.postgres.schema}}));
  co_return ks::ok;
}

net::awaitable<void> sync_engine::run() {
  if (!started_) co_return;
  auto ended = [this](const char* what) {
    return [this, what](std::exception_ptr e) {
      if (e) {
        try {
          std::rethrow_exception(e);
        } catch (const std::exception& ex) {
          logger_->error(log_line("background task failed", {{"task", what}, {"error", ex.what()}}));
        }
      }
      --background_running_;
      finished_.cancel();
    };
  };
  background_running_ = 3;
  // The listener wakes the outbound worker on every commit (and after each reconnect).
  net::co_spawn(executor_, listener_->run([this](std::string_view) { outbound_->wake(); }, listener_stop_.get_token()),
                ended("listener"));
  net::co_spawn(executor_, housekeeping(), ended("housekeeping"));
  net::co_spawn(executor_, inbound_->run(), ended("inbound"));
  co_await outbound_->run(outbound_stop_.get_token());  // returns after stop(), once in-flight work is done
  listener_stop_.request_stop();
  timer_.cancel();
  while (background_running_ > 0) {
    finished_.expires_at(std::chrono::steady_clock::time_point::max());
    co_await finished_.async_wait(net::as_tuple(net::use_awaitable));
  }
}

void sync_engine::stop() {
  stopping_ = true;
  timer_.cancel();
  outbound_stop_.request_stop();
  if (inbound_) inbound_->stop();
}

service::health_report sync_engine::health() const {
  if (!started_) return {false, waiting_for_.empty() ? "starting" : "starting: " + waiting_for_};
  if (outbound_ && outbound_->claim_failure()) return {false, outbound_->claim_failure()->describe()};
  return {true, {}};
}

net::awaitable<void> sync_engine::housekeeping() {
  auto last_summary = std::chrono::steady_clock::now();
  auto last_purge = std::chrono::steady_clock::time_point{};
  std::uint64_t applied_before = 0, dead_before = 0, retried_before = 0;
  pg::outbox_store outbox(cfg_.postgres.schema);
  while (!stopping_) {
    try {
      const auto backlog = co_await work_pool_->run([&](pqxx::connection& conn) {
        pqxx::read_transaction tx(conn);
        return outbox.backlog(tx);
      });
      metrics_.clear("kizen_sync_outbox_backlog");
      metrics_.clear("kizen_sync_outbox_dead");
      std::int64_t pending = 0, dead = 0;
      for (const auto& b : backlog) {
        metrics_.set("kizen_sync_outbox_backlog", {{"object", b.object}}, static_cast<double>(b.pending));
        metrics_.set("kizen_sync_outbox_dead", {{"object", b.object}}, static_cast<double>(b.dead));
        pending += b.pending;
        dead += b.dead;
      }
      const auto now = std::chrono::steady_clock::now();
      if (now - last_purge >= 60s && cfg_.daemon.retention.count() > 0) {
        last_purge = now;
        const auto purged = co_await work_pool_->run([&](pqxx::connection& conn) {
          std::int64_t total = 0;
          for (;;) {  // small batches: never a long lock on the outbox
            pqxx::work tx(conn);
            const auto n = outbox.purge_done(tx, cfg_.daemon.retention, 1000);
            tx.commit();
            total += n;
            if (n < 1000) return total;
          }
        });
        if (purged > 0) logger_->info(log_line("purged applied changes past retention", {{"rows", purged}}));
      }
      if (now - last_summary >= cfg_.daemon.summary_interval) {
        const auto& c = outbound_->counters();
        const double secs = std::chrono::duration<double>(now - last_summary).count();
        const auto applied = c.applied.load();
        logger_->info(log_line("summary", {{"applied", applied - applied_before},
                                          {"retried", c.retried.load() - retried_before},
                                          {"dead_lettered", c.dead.load() - dead_before},
                                          {"backlog", pending},
                                          {"dead_total", dead},
                                          {"in_flight", static_cast<std::int64_t>(outbound_->in_flight())},
                                          {"rate_per_second", static_cast<double>(applied - applied_before) / secs}}));
        applied_before = applied;
        dead_before = c.dead.load();
        retried_before = c.retried.load();
        last_summary = now;
      }
    } catch (const std::exception& e) {
      logger_->warn(log_line("housekeeping failed", {{"error", e.what()}}));
    }
    co_await pause(std::min<std::chrono::milliseconds>(10s, cfg_.daemon.summary_interval));
  }
}

}  // namespace ks::engine
