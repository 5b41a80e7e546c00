#include "daemon/service/logging.hpp"

#include "common/log_line.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <atomic>
#include <mutex>

namespace ks::service {

namespace {

std::atomic<spdlog::level::level_enum> current_level{spdlog::level::info};

std::shared_ptr<spdlog::sinks::sink> shared_sink() {
  static const auto sink = [] {
    auto s = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    s->set_formatter(std::make_unique<spdlog::pattern_formatter>(json_log_pattern, spdlog::pattern_time_type::utc,
                                                                 std::string("\n")));
    return s;
  }();
  return sink;
}

}  // namespace

std::optional<spdlog::level::level_enum> parse_log_level(std::string_view text) {
  if (text == "trace") return spdlog::level::trace;
  if (text == "debug") return spdlog::level::debug;
  if (text == "info") return spdlog::level::info;
  if (text == "warn" || text == "warning") return spdlog::level::warn;
  if (text == "error") return spdlog::level::err;
  if (text == "off") return spdlog::level::off;
  return std::nullopt;
}

void set_log_level(spdlog::level::level_enum level) {
  current_level = level;
  spdlog::apply_all([level](const std::shared_ptr<spdlog::logger>& l) { l->set_level(level); });
}

std::shared_ptr<spdlog::logger> make_logger(const std::string& name) {
  static std::mutex mutex;
  std::lock_guard lock(mutex);
  if (auto existing = spdlog::get(name)) return existing;
  auto logger = std::make_shared<spdlog::logger>(name, shared_sink());
  logger->set_level(current_level.load());
  logger->flush_on(spdlog::level::trace);  // a crash must not eat the last lines
  spdlog::register_logger(logger);
  return logger;
}

}  // namespace ks::service
