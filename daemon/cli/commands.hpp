#pragma once
// The commands of `kizen-sync`; each returns the process exit code
// (0 ok, 1 runtime failure, 2 usage or configuration error).

#include "config/config.hpp"
#include "daemon/cli/command_line.hpp"

#include <iosfwd>
#include <memory>
#include <optional>
#include <pqxx/connection>

namespace ks::cli {

inline constexpr int exit_ok = 0;
inline constexpr int exit_failure = 1;
inline constexpr int exit_usage = 2;

// Entry point: parses argv and runs the command.
int run_app(int argc, char** argv);

// Loads and validates the config; prints every problem (and warnings) to `err` as
// file:line:col: message. nullopt means: exit with exit_usage.
std::optional<config::config> load_config_reporting(const std::string& path, std::ostream& err);

// A PostgreSQL connection for a command, or nullptr after printing why to stderr
// ("kizen-sync <command>: cannot connect to PostgreSQL: ..."; the URL's password is never shown).
std::unique_ptr<pqxx::connection> connect_postgres(const config::config& cfg, const char* command);

int check_command(const command_line& line);
int migrate_command(const command_line& line);
int status_command(const command_line& line);
int replay_command(const command_line& line);
int run_command(const command_line& line);
int resync_command(const command_line& line);

}  // namespace ks::cli
