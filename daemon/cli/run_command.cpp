// `kizen-sync run`: the daemon in the foreground.
//
// SIGTERM/SIGINT: stop claiming, let in-flight requests finish within daemon.shutdown_grace, then
// exit 0 (whatever is still in flight then is released by exiting, which closes the connections:
// it stays queued).
// SIGHUP: reload the config file; if it is invalid, say why and keep running the current one.
#include "daemon/cli/commands.hpp"

#include "common/log_line.hpp"
#include "config/config_loader.hpp"
#include "daemon/engine/runtime/sync_engine.hpp"
#include "daemon/service/logging.hpp"
#include "daemon/service/status_server.hpp"
#include "daemon/service/systemd_notifier.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <sstream>

namespace ks::cli {

namespace net = boost::asio;

namespace {

class daemon_process {
 public:
  daemon_process(net::io_context& io, config::config cfg)
      : io_(io),
        cfg_(std::move(cfg)),
        log_(service::make_logger("daemon")),
        signals_(io, SIGTERM, SIGINT, SIGHUP),
        grace_(io),
        watchdog_(io) {}

  int run() {
    try {
      status_ = std::make_unique<service::status_server>(
          io_.get_executor(), cfg_.daemon.http_listen, metrics_,
          [this] {
            return engine_ ? engine_->health() : ks::health{false, "starting"};
          },
          service::make_logger("status"));
    } catch (const std::exception& e) {
      log_->error(log_line("cannot start the status server", {{"error", e.what()}}));
      return exit_failure;
    }
    log_->info(log_line("kizen-sync starting", {{"version", KS_VERSION},
                                                {"config", cfg_.source_file},
                                                {"objects", static_cast<std::int64_t>(cfg_.objects.size())},
                                                {"http_listen", cfg_.daemon.http_listen},
                                                {"http_port", static_cast<std::int64_t>(status_->port())}}));
    net::co_spawn(io_, status_->run(), net::detached);
    net::co_spawn(io_, handle_signals(), net::detached);
    net::co_spawn(io_, feed_watchdog(), net::detached);
    net::co_spawn(io_, supervise(), [this](std::exception_ptr e) {
      if (e) {
        try {
          std::rethrow_exception(e);
        } catch (const std::exception& ex) {
          log_->critical(log_line("the daemon failed", {{"error", ex.what()}}));
        }
        exit_code_ = exit_failure;
      }
      shutdown();
    });
    io_.run();
    return exit_code_;
  }

 private:
  net::awaitable<void> supervise() {
    for (;;) {
      engine_ = std::make_unique<engine::sync_engine>(io_.get_executor(), cfg_, metrics_, service::make_logger);
      auto started = co_await engine_->start();
      if (!started) {
        for (const auto& p : started.error()) log_->error(log_line("cannot start the sync", {{"problem", p}}));
        for (const auto& p : started.error()) std::cerr << "kizen-sync run: " << p << "\n";
        exit_code_ = exit_usage;
        co_return;
      }
      if (terminating_) co_return;
      notifier_.ready();
      notifier_.status("syncing " + std::to_string(cfg_.objects.size()) + " objects");
      co_await engine_->run();
      if (terminating_ || !next_cfg_) co_return;
      // Reload: the old engine has drained; start over with the new config.
      cfg_ = std::move(*next_cfg_);
      next_cfg_.reset();
      log_->info(log_line("config reloaded", {{"config", cfg_.source_file}}));
    }
  }

  net::awaitable<void> handle_signals() {
    for (;;) {
      auto [ec, signal] = co_await signals_.async_wait(net::as_tuple(net::use_awaitable));
      if (ec) co_return;
      if (signal == SIGHUP) {
        reload();
        continue;
      }
      terminate(signal);
    }
  }

  void reload() {
    std::ostringstream problems;
    auto fresh = load_config_reporting(cfg_.source_file, problems);
    if (!fresh) {
      log_->error(log_line("config reload rejected; the running config stays", {{"problems", problems.str()}}));
      return;
    }
    notifier_.reloading();
    next_cfg_ = std::move(*fresh);
    if (engine_) engine_->stop();
  }

  void terminate(int signal) {
    if (terminating_) return;
    terminating_ = true;
    log_->info(log_line("stopping: finishing in-flight changes",
                        {{"signal", signal == SIGINT ? "SIGINT" : "SIGTERM"},
                         {"grace_ms", static_cast<std::int64_t>(cfg_.daemon.shutdown_grace.count())}}));
    notifier_.stopping();
    if (engine_) engine_->stop();
    grace_.expires_after(cfg_.daemon.shutdown_grace);
    grace_.async_wait([this](boost::system::error_code ec) {
      if (ec) return;
      const auto in_flight = engine_ && engine_->outbound() ? engine_->outbound()->in_flight() : 0;
      log_->warn(log_line("grace period over; releasing in-flight changes (they stay queued)",
                          {{"in_flight", static_cast<std::int64_t>(in_flight)}}));
      exit_now();
    });
  }

  net::awaitable<void> feed_watchdog() {
    const auto period = notifier_.watchdog_period();
    if (!period) co_return;
    for (;;) {  // the event loop is alive as long as this keeps running
      // ... and the engine is not stuck (it may be waiting out an outage: that is not stuck).
      if (!engine_ || engine_->stuck_reason().empty()) notifier_.watchdog();
      watchdog_.expires_after(*period);
      auto [ec] = co_await watchdog_.async_wait(net::as_tuple(net::use_awaitable));
      if (ec) co_return;
    }
  }

  // Ends the process without unwinding. The suspended request coroutines live in the io_context
  // and reference the engine, so neither can be destroyed first; nothing needs to be: every
  // durable fact is in PostgreSQL, and closing the connections rolls back the open transactions
  // and frees the key locks, so the in-flight changes stay queued for the next start.
  [[noreturn]] void exit_now() {
    shutdown();
    log_->flush();  // loggers flush every line already; stdio below may hold a partial one
    std::cout.flush();
    std::cerr.flush();
    std::_Exit(exit_code_);
  }

  void shutdown() {
    boost::system::error_code ignored;
    signals_.cancel(ignored);
    grace_.cancel();
    watchdog_.cancel();
    if (status_) status_->close();
    log_->info(log_line("kizen-sync stopped", {{"exit_code", exit_code_}}));
  }

  net::io_context& io_;
  config::config cfg_;
  std::shared_ptr<spdlog::logger> log_;
  service::metrics metrics_;
  service::systemd_notifier notifier_;
  std::unique_ptr<service::status_server> status_;
  std::unique_ptr<engine::sync_engine> engine_;
  std::optional<config::config> next_cfg_;
  net::signal_set signals_;
  net::steady_timer grace_;
  net::steady_timer watchdog_;
  bool terminating_ = false;
  int exit_code_ = exit_ok;
};

}  // namespace

int run_command(const command_line& line) {
  auto cfg = load_config_reporting(line.config_path, std::cerr);
  if (!cfg) return exit_usage;
  net::io_context io(1);
  daemon_process daemon(io, std::move(*cfg));
  return daemon.run();
}

}  // namespace ks::cli
