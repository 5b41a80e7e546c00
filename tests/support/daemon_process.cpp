#include "tests/support/daemon_process.hpp"

#include "tests/support/emulator_process.hpp"
#include "tests/support/http_call.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <boost/json/parse.hpp>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace ks::test {

namespace json = boost::json;
using clock = std::chrono::steady_clock;

int exit_status_of(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

namespace {

std::string make_temp_dir(const char* prefix) {
  const char* base = std::getenv("TMPDIR");
  std::string pattern = std::string(base && *base ? base : "/tmp") + "/" + prefix + "XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr)
    throw std::runtime_error(std::string("mkdtemp failed: ") + std::strerror(errno));
  return pattern;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// This process's environment with `extra` added or replaced, as NAME=value strings.
std::vector<std::string> child_environment(const environment_list& extra) {
  std::map<std::string, std::string> vars;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry(*e);
    const auto eq = entry.find('=');
    if (eq == std::string::npos) continue;
    vars[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  for (const auto& [name, value] : extra) vars[name] = value;
  std::vector<std::string> out;
  for (const auto& [name, value] : vars) out.push_back(name + "=" + value);
  return out;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// fork + exec with stdin from /dev/null and stdout/stderr to files. The child gets SIGKILL when
// the thread that started it goes away, so a crashed test leaves no daemon behind.
pid_t spawn(std::vector<std::string> args, const environment_list& env, const std::string& out_path,
            const std::string& err_path) {
  auto envs = child_environment(env);
  auto argv = pointers(args);
  auto envp = pointers(envs);
  const pid_t parent = ::getpid();
  int report[2];  // the child writes errno here if exec fails (closed on exec)
  if (::pipe2(report, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(report[0]);
    ::close(report[1]);
    throw std::runtime_error(std::string("fork failed: ") + std::strerror(errno));
  }
  if (pid == 0) {  // child: async-signal-safe calls only
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    const int in = ::open("/dev/null", O_RDONLY);
    const int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (in < 0 || out < 0 || err < 0 || ::dup2(in, STDIN_FILENO) < 0 || ::dup2(out, STDOUT_FILENO) < 0 ||
        ::dup2(err, STDERR_FILENO) < 0) {
      const int e = errno;
      [[maybe_unused]] auto n = ::write(report[1], &e, sizeof e);
      ::_exit(127);
    }
    ::execve(argv[0], argv.data(), envp.data());
    const int e = errno;
    [[maybe_unused]] auto n = ::write(report[1], &e, sizeof e);
    ::_exit(127);
  }
  ::close(report[1]);
  int child_errno = 0;
  ssize_t n;
  do {
    n = ::read(report[0], &child_errno, sizeof child_errno);
  } while (n < 0 && errno == EINTR);
  ::close(report[0]);
  if (n == static_cast<ssize_t>(sizeof child_errno)) {
    int ignored = 0;
    ::waitpid(pid, &ignored, 0);
    throw std::runtime_error("cannot start " + args[0] + ": " + std::strerror(child_errno));
  }
  return pid;
}

// Waits for `pid` until `deadline`; nullopt if it is still running then.
std::optional<int> wait_until(pid_t pid, clock::time_point deadline) {
  for (;;) {
    int status = 0;
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) return exit_status_of(status);
    if (r < 0 && errno != EINTR) return -1;  // not our child any more
    if (clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

void remove_dir(const std::string& dir) {
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
}

}  // namespace

command_output run_kizen_sync(const std::vector<std::string>& args, std::chrono::milliseconds timeout,
                              const environment_list& env) {
  const std::string dir = make_temp_dir("ks-cmd.");
  std::vector<std::string> argv{kizen_sync_path()};
  argv.insert(argv.end(), args.begin(), args.end());
  command_output result;
  try {
    const pid_t pid = spawn(argv, env, dir + "/stdout", dir + "/stderr");
    auto status = wait_until(pid, clock::now() + timeout);
    if (!status) {
      ::kill(pid, SIGKILL);
      int ignored = 0;
      ::waitpid(pid, &ignored, 0);
    }
    result.exit_code = status.value_or(-1);
    result.out = read_file(dir + "/stdout");
    result.err = read_file(dir + "/stderr");
  } catch (...) {
    remove_dir(dir);
    throw;
  }
  remove_dir(dir);
  return result;
}

daemon_process::daemon_process(std::string config_path, daemon_options options)
    : config_path_(std::move(config_path)), options_(std::move(options)) {
  dir_ = make_temp_dir("ks-daemon.");
  log_path_ = dir_ + "/daemon.log";
  std::vector<std::string> argv{kizen_sync_path(), "run", "-c", config_path_};
  argv.insert(argv.end(), options_.extra_args.begin(), options_.extra_args.end());
  try {
    pid_ = spawn(argv, options_.env, dir_ + "/stdout", log_path_);
    wait_started(options_.start_timeout);
  } catch (...) {
    kill_hard();
    remove_dir(dir_);
    throw;
  }
}

daemon_process::~daemon_process() {
  kill_hard();
  remove_dir(dir_);
}

std::string daemon_process::status_url() const { return "http://127.0.0.1:" + std::to_string(http_port_); }

std::string daemon_process::log() const { return read_file(log_path_); }

std::vector<json::object> daemon_process::log_lines_with(const std::string& msg) const {
  std::vector<json::object> out;
  std::istringstream lines(log());
  std::string line;
  while (std::getline(lines, line)) {
    if (line.find(msg) == std::string::npos) continue;
    boost::system::error_code ec;
    auto v = json::parse(line, ec);
    if (ec || !v.is_object()) continue;
    const auto* m = v.as_object().if_contains("msg");
    if (m && m->is_string() && m->get_string() == msg) out.push_back(std::move(v.as_object()));
  }
  return out;
}

void daemon_process::wait_started(std::chrono::milliseconds timeout) {
  const auto deadline = clock::now() + timeout;
  auto failure = [&](const std::string& what) {
    return std::runtime_error("kizen-sync run -c " + config_path_ + ": " + what + "; its log:\n" + log());
  };
  // 1. The bound port of the status server, from the "kizen-sync starting" line.
  while (http_port_ == 0) {
    for (const auto& line : log_lines_with("kizen-sync starting")) {
      if (const auto* p = line.if_contains("http_port"); p && p->is_int64())
        http_port_ = static_cast<int>(p->get_int64());
      if (const auto* p = line.if_contains("http_port"); p && p->is_uint64())
        http_port_ = static_cast<int>(p->get_uint64());
    }
    if (http_port_ != 0) break;
    if (!running())
      throw failure("exited with status " + std::to_string(exit_status_.value_or(-1)) + " before it started");
    if (clock::now() >= deadline) throw failure("no \"kizen-sync starting\" line with http_port in time");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  // 2. /healthz 200: the sync runs.
  if (!options_.wait_healthy) return;
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
  if (!wait_for_health(200, std::max(left, std::chrono::milliseconds(1)))) {
    if (!running())
      throw failure("exited with status " + std::to_string(exit_status_.value_or(-1)) + " while starting");
    throw failure("/healthz did not answer 200 in time (last: " + std::to_string(healthz()) + ")");
  }
}

bool daemon_process::running() {
  if (pid_ <= 0) return false;
  int status = 0;
  const pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    exit_status_ = exit_status_of(status);
    pid_ = -1;
    return false;
  }
  return true;
}

int daemon_process::healthz() const {
  if (http_port_ == 0) return 0;
  try {
    return http_call(status_url(), "GET", "/healthz", {}, {}, std::chrono::seconds(10)).status;
  } catch (const std::exception&) {
    return 0;
  }
}

bool daemon_process::wait_for_health(int status, std::chrono::milliseconds timeout) {
  const auto deadline = clock::now() + timeout;
  for (;;) {
    if (!running()) return false;
    if (healthz() == status) return true;
    if (clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

int daemon_process::stop(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return exit_status_.value_or(-1);
  ::kill(pid_, SIGTERM);
  if (auto status = wait_until(pid_, clock::now() + timeout)) {
    exit_status_ = *status;
    pid_ = -1;
    return *status;
  }
  kill_hard();
  return exit_status_.value_or(-1);
}

void daemon_process::kill_hard() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  if (::waitpid(pid_, &status, 0) == pid_) exit_status_ = exit_status_of(status);
  pid_ = -1;
}

}  // namespace ks::test
