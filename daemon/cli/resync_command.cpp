// `kizen-sync resync`: full load or repair of one object, with a progress line.
// SIGINT/SIGTERM stop it after the current batch; running it again resumes.
#include "daemon/cli/commands.hpp"

#include "daemon/engine/runtime/resync_runner.hpp"
#include "daemon/service/logging.hpp"

#include <unistd.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <iostream>

namespace ks::cli {

namespace net = boost::asio;

namespace {

std::string duration_text(std::chrono::seconds s) {
  char buf[32];
  const auto n = s.count();
  if (n >= 3600)
    std::snprintf(buf, sizeof buf, "%ldh%02ldm", static_cast<long>(n / 3600), static_cast<long>((n % 3600) / 60));
  else if (n >= 60)
    std::snprintf(buf, sizeof buf, "%ldm%02lds", static_cast<long>(n / 60), static_cast<long>(n % 60));
  else
    std::snprintf(buf, sizeof buf, "%lds", static_cast<long>(n));
  return buf;
}

// One progress line: rewritten in place on a terminal, printed every few seconds otherwise.
class progress_printer {
 public:
  progress_printer(std::string label) : label_(std::move(label)), tty_(::isatty(STDERR_FILENO) == 1) {}
  void operator()(const engine::resync_progress_report& r) {
    const auto now = std::chrono::steady_clock::now();
    const bool phase_changed = r.phase != last_phase_;
    if (!tty_ && !phase_changed && now - last_ < std::chrono::seconds(2) && r.done < r.total) return;
    last_ = now;
    last_phase_ = r.phase;
    char line[256];
    const double pct = r.total > 0 ? 100.0 * static_cast<double>(r.done) / static_cast<double>(r.total) : 100.0;
    std::snprintf(line, sizeof line, "%s: %s %lld/%lld (%.1f%%), %.0f/s, ETA %s", label_.c_str(), r.phase.c_str(),
                  static_cast<long long>(r.done), static_cast<long long>(r.total), pct, r.rate_per_second,
                  r.eta ? duration_text(*r.eta).c_str() : "-");
    if (tty_)
      std::cerr << "\r\033[K" << line << std::flush;
    else
      std::cerr << line << "\n";
    dirty_ = tty_;
  }
  void end_line() {
    if (dirty_) std::cerr << "\n";
    dirty_ = false;
  }

 private:
  std::string label_;
  bool tty_;
  bool dirty_ = false;
  std::string last_phase_;
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace

int resync_command(const command_line& line) {
  auto cfg = load_config_reporting(line.config_path, std::cerr);
  if (!cfg) return exit_usage;
  const bool to_kizen = line.direction == resync_direction::to_kizen;
  const std::string label = "resync " + *line.object + (to_kizen ? " to_kizen" : " from_kizen");
  progress_printer printer(label);

  net::io_context io(1);
  engine::resync_runner runner(
      io.get_executor(), std::move(*cfg), [&printer](const engine::resync_progress_report& r) { printer(r); },
      service::make_logger);
  net::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code ec, int) {
    if (ec) return;
    printer.end_line();
    std::cerr << label << ": stopping after the current batch...\n";
    runner.stop();
  });
  std::optional<ks::result<engine::resync_result, std::string>> outcome;
  net::co_spawn(io, runner.run({*line.object, to_kizen, line.restart}),
                [&](std::exception_ptr e, ks::result<engine::resync_result, std::string> r) {
                  if (e) std::rethrow_exception(e);
                  outcome = std::move(r);
                  signals.cancel();
                });
  io.run();
  printer.end_line();
  if (!outcome || !*outcome) {
    std::cerr << "kizen-sync resync: " << (outcome ? outcome->error() : std::string("stopped")) << "\n";
    return exit_failure;
  }
  const auto& r = **outcome;
  if (!r.completed) {
    std::cerr << label << ": interrupted at " << r.done << "/" << r.total << "; run the same command again to resume\n";
    return exit_failure;
  }
  std::cout << label << ": done, " << r.done << " of " << r.total << (to_kizen ? " rows applied" : " records written")
            << (r.resumed ? " (resumed)" : "") << "\n";
  if (r.dead > 0 || r.failed > 0) {
    std::cerr << label << ": " << (to_kizen ? r.dead : r.failed)
              << (to_kizen ? " changes were dead-lettered" : " records could not be written")
              << "; see `kizen-sync status -c " << line.config_path << "` and the log\n";
    return exit_failure;
  }
  return exit_ok;
}

}  // namespace ks::cli
