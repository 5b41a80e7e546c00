#pragma once
// A `kizen-sync run -c FILE` child process for integration tests and benchmarks, plus a helper
// that runs any other `kizen-sync` command to completion and captures its output.
//
//   ks::test::daemon_process daemon(config_path);   // waits until /healthz answers 200
//   ... commit rows, poll the emulator ...
//   EXPECT_EQ(daemon.stop(), 0) << daemon.log();     // SIGTERM, exit code
//
// The daemon's stderr (JSON log lines) goes to a file in a private temporary directory, readable
// at any time through log(). Its status server must listen on a loopback address (port 0 is
// fine: the port comes from the "kizen-sync starting" line). Every wait is bounded; a daemon
// that exits or never gets healthy is reported with its log.

#include <sys/types.h>
#include <boost/json/object.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ks::test {

// Exit status of a finished child as a shell reports it: the exit code, or 128 + signal number.
int exit_status_of(int waitpid_status);

struct command_output {
  int exit_code = -1;  // as exit_status_of; -1 if it had to be killed at the timeout
  std::string out;     // stdout
  std::string err;     // stderr
};

// Extra environment for a child: NAME=value pairs added to (or replacing in) this process's.
using environment_list = std::vector<std::pair<std::string, std::string>>;

// Runs `kizen-sync <args...>` and waits for it (at most `timeout`, then SIGKILL).
command_output run_kizen_sync(const std::vector<std::string>& args,
                              std::chrono::milliseconds timeout = std::chrono::seconds(60),
                              const environment_list& env = {});

struct daemon_options {
  environment_list env;                            // extra environment variables
  std::vector<std::string> extra_args;             // after `run -c FILE`
  bool wait_healthy = true;                        // constructor waits for /healthz 200
  std::chrono::milliseconds start_timeout{90000};  // for the port line and /healthz
};

class daemon_process {
 public:
  // Starts `kizen-sync run -c config_path`; throws std::runtime_error (with the log) if it exits
  // or does not report its port / get healthy within options.start_timeout.
  explicit daemon_process(std::string config_path, daemon_options options = {});
  // Kills the daemon (SIGKILL) if it still runs and removes the temporary directory.
  ~daemon_process();
  daemon_process(const daemon_process&) = delete;
  daemon_process& operator=(const daemon_process&) = delete;

  pid_t pid() const { return pid_; }
  int http_port() const { return http_port_; }
  // http://127.0.0.1:PORT of the status server (/healthz, /metrics).
  std::string status_url() const;
  const std::string& config_path() const { return config_path_; }
  const std::string& log_path() const { return log_path_; }

  // The daemon's stderr so far (JSON lines), also after it exited.
  std::string log() const;
  // The JSON lines of log() whose "msg" equals `msg`, parsed (other lines are skipped).
  std::vector<boost::json::object> log_lines_with(const std::string& msg) const;

  // Still running? (Reaps it if it exited; exit_status() then has the status.)
  bool running();
  std::optional<int> exit_status() const { return exit_status_; }

  // HTTP status of GET /healthz, or 0 when the status server cannot be reached.
  int healthz() const;
  // Polls /healthz until it answers `status` (e.g. 200, 503); false at the deadline or if the
  // daemon exited.
  bool wait_for_health(int status, std::chrono::milliseconds timeout);

  // SIGTERM, then waits (at most `timeout`, then SIGKILL). Returns the exit status as
  // exit_status_of (0 = clean), or the status it already had if it had exited.
  int stop(std::chrono::milliseconds timeout = std::chrono::seconds(90));
  // SIGKILL, as a crash (kill -9) would.
  void kill_hard();

 private:
  void wait_started(std::chrono::milliseconds timeout);

  std::string config_path_;
  daemon_options options_;
  std::string dir_;
  std::string log_path_;
  pid_t pid_ = -1;
  int http_port_ = 0;
  std::optional<int> exit_status_;
};

}  // namespace ks::test
