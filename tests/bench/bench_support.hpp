#pragma once
// What the sync benchmarks share: counting rows, polling with a deadline, timing, numbered record
// ids, peak RSS, and the environment of the kizen-sync child. Header-only; the including target defines
// KS_SOURCE_DIR.

#include "tests/support/daemon_process.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <pqxx/pqxx>
#include <string>
#include <thread>

namespace ks::bench {

using steady = std::chrono::steady_clock;

inline std::int64_t count(pqxx::connection& c, const std::string& query) {
  pqxx::nontransaction tx(c);
  return tx.exec1(query)[0].as<std::int64_t>();
}

// Polls `done` every `interval` until it holds (true) or `limit` passed (false).
inline bool poll_until(const std::function<bool()>& done, std::chrono::seconds limit,
                       std::chrono::milliseconds interval = std::chrono::milliseconds(20)) {
  const auto deadline = steady::now() + limit;
  while (!done()) {
    if (steady::now() > deadline) return false;
    std::this_thread::sleep_for(interval);
  }
  return true;
}

inline double seconds_since(steady::time_point t) { return std::chrono::duration<double>(steady::now() - t).count(); }

// Record `i` of a benchmark: "<prefix>-0000-4000-8000-<i as 12 hex digits>" (prefix: 8 hex digits).
inline std::string numbered_uuid(const char* prefix, int i) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%s-0000-4000-8000-%012x", prefix, i);
  return buf;
}

// Peak resident set (VmHWM) of a live process, in KiB; -1 if it cannot be read.
inline long peak_rss_kib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

// An ASan build of kizen-sync needs libpqxx's known leak suppressed (as tests/run.sh does).
inline ks::test::environment_list child_env() {
  if (std::getenv("LSAN_OPTIONS") != nullptr) return {};
  return {{"LSAN_OPTIONS", std::string("suppressions=") + KS_SOURCE_DIR + "/tests/lsan.supp:print_suppressions=0"}};
}

}  // namespace ks::bench
