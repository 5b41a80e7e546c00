#pragma once
// Log sinks: the daemon is the only place that decides where log lines go (DESIGN.md). Every
// logger writes one JSON object per line to stderr (journald captures it under systemd).

#include <spdlog/logger.h>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace ks::service {

// "trace" | "debug" | "info" | "warn" | "error" (also "warning", "off").
std::optional<spdlog::level::level_enum> parse_log_level(std::string_view text);

// Sets the level of every logger made by make_logger (now and later).
void set_log_level(spdlog::level::level_enum level);

// A logger named `name` (e.g. "outbound") on the shared JSON stderr sink.
std::shared_ptr<spdlog::logger> make_logger(const std::string& name);

}  // namespace ks::service
