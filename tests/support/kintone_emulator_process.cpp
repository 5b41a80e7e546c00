#include "tests/support/kintone_emulator_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <stdexcept>

extern char** environ;

namespace ks::test {

std::string kintone_emulator_path() { return KS_KINTONE_EMULATOR_PATH; }

namespace {

// Reads one line from fd, waiting at most `timeout` in total.
std::string read_first_line(int fd, std::chrono::milliseconds timeout) {
  std::string line;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) throw std::runtime_error("kintone-emulator printed no address within the timeout");
    pollfd p{fd, POLLIN, 0};
    const int n = ::poll(&p, 1, static_cast<int>(left.count()));
    if (n <= 0) continue;
    char c;
    const ssize_t r = ::read(fd, &c, 1);
    if (r <= 0) throw std::runtime_error("kintone-emulator exited before printing its address: " + line);
    if (c == '\n') return line;
    line += c;
  }
}

}  // namespace

kintone_emulator_process::kintone_emulator_process(std::vector<std::string> extra_args) {
  std::vector<std::string> args = {kintone_emulator_path(), "--listen", "127.0.0.1:0"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  const int rc = ::posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_fds[1]);
  if (rc != 0) {
    ::close(pipe_fds[0]);
    throw std::runtime_error("cannot start " + args[0] + ": " + std::strerror(rc));
  }
  stdout_fd_ = pipe_fds[0];
  std::string first;
  try {
    first = read_first_line(stdout_fd_, std::chrono::seconds(20));
  } catch (...) {
    kill_hard();
    throw;
  }
  // "kintone-emulator listening on http://127.0.0.1:41234"
  const auto pos = first.find_last_of(' ');
  base_url_ = pos == std::string::npos ? first : first.substr(pos + 1);
  drain_ = std::thread([fd = stdout_fd_] {
    char buf[4096];
    while (::read(fd, buf, sizeof buf) > 0) {
    }
  });
}

kintone_emulator_process::~kintone_emulator_process() {
  if (pid_ > 0) stop();
  if (drain_.joinable()) drain_.join();
  if (stdout_fd_ >= 0) ::close(stdout_fd_);
}

int kintone_emulator_process::stop() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  int status = 0;
  for (int i = 0; i < 100; ++i) {  // up to 10 s for a graceful exit (it may save --state)
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return status;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  return status;
}

void kintone_emulator_process::kill_hard() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

}  // namespace ks::test
