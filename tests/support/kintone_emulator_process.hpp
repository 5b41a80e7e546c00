#pragma once
// A kintone-emulator child process for tests: started on a free loopback port, stopped
// (SIGTERM, then SIGKILL) when the object goes away. Its control API is documented in
// docs/kintone-emulator.md ("Control API").

#include <sys/types.h>
#include <string>
#include <thread>
#include <vector>

namespace ks::test {

// Absolute path of the built binary (baked in by CMake).
std::string kintone_emulator_path();

class kintone_emulator_process {
 public:
  // extra_args: further command-line arguments, e.g. {"--schema", path, "--concurrency-limit", "2"}.
  explicit kintone_emulator_process(std::vector<std::string> extra_args = {});
  ~kintone_emulator_process();
  kintone_emulator_process(const kintone_emulator_process&) = delete;
  kintone_emulator_process& operator=(const kintone_emulator_process&) = delete;

  // http://127.0.0.1:PORT, as printed by the emulator on its first line of output.
  const std::string& base_url() const { return base_url_; }
  pid_t pid() const { return pid_; }

  // Graceful stop (SIGTERM); the exit status as from waitpid, or -1 if already stopped.
  int stop();
  // Immediate SIGKILL, as a crash would.
  void kill_hard();

 private:
  std::string base_url_;
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  std::thread drain_;
};

}  // namespace ks::test
