#pragma once
// A kizen-emulator child process for tests and benchmarks: started on a free loopback port,
// stopped (SIGTERM, then SIGKILL) when the object goes away.

#include <sys/types.h>
#include <string>
#include <thread>
#include <vector>

namespace ks::test {

// Absolute paths of the built binaries (baked in by CMake).
std::string emulator_path();
std::string kizen_sync_path();

struct emulator_options {
  std::string api_key = "test-api-key";
  std::string business_id = "5f0c3a5e-8d7b-4c1e-9a51-3b2f6d7e8a90";
  std::string user_id = "7b1d2c3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e";
  // Further command-line arguments, e.g. {"--schema", path} or fault flags.
  std::vector<std::string> extra_args;
};

class emulator_process {
 public:
  explicit emulator_process(emulator_options options = {});
  ~emulator_process();
  emulator_process(const emulator_process&) = delete;
  emulator_process& operator=(const emulator_process&) = delete;

  // http://127.0.0.1:PORT, as printed by the emulator on its first line of output.
  const std::string& base_url() const { return base_url_; }
  const emulator_options& options() const { return options_; }
  pid_t pid() const { return pid_; }

  // Graceful stop (SIGTERM); returns the exit status as from waitpid, or -1 if already stopped.
  int stop();
  // Immediate SIGKILL, as a crash would.
  void kill_hard();

 private:
  emulator_options options_;
  std::string base_url_;
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  std::thread drain_;
};

}  // namespace ks::test
