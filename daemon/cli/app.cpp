#include "daemon/cli/commands.hpp"

#include "config/config_loader.hpp"
#include "connectors/postgres/open_connection.hpp"
#include "daemon/service/logging.hpp"

#include <exception>
#include <iostream>

namespace ks::cli {

std::optional<config::config> load_config_reporting(const std::string& path, std::ostream& err) {
  std::vector<config::problem> warnings;
  auto cfg = config::load_config_file(path, config::process_environment(), &warnings);
  if (!cfg) {
    for (const auto& p : cfg.error()) err << p.to_string() << '\n';
    return std::nullopt;
  }
  for (const auto& w : warnings) err << w.to_string() << '\n';
  if (auto level = service::parse_log_level(cfg->daemon.log_level)) service::set_log_level(*level);
  return std::move(*cfg);
}

std::unique_ptr<pqxx::connection> connect_postgres(const config::config& cfg, const char* command) {
  pg::connection_settings settings;
  settings.url = cfg.postgres.url;
  settings.application_name = std::string("kizen-sync ") + command;
  auto conn = pg::open_connection(settings);
  if (!conn) {
    std::cerr << "kizen-sync " << command << ": cannot connect to PostgreSQL: " << conn.error() << "\n";
    return nullptr;
  }
  return std::move(*conn);
}

int run_app(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  const auto parsed = parse_command_line(args);
  if (parsed.error) {
    std::cerr << "kizen-sync: " << parsed.error->message << "\n";
    std::cerr << (parsed.error->command.empty() ? std::string("Run `kizen-sync --help` for usage.")
                                                : "Run `kizen-sync " + parsed.error->command + " --help` for usage.")
              << "\n";
    return exit_usage;
  }
  const auto& line = *parsed.line;
  if (line.command == command_kind::version) {
    std::cout << "kizen-sync " << KS_VERSION << "\n";
    return exit_ok;
  }
  if (line.help || line.command == command_kind::help) {
    std::cout << help_text(line.command);
    return exit_ok;
  }
  try {
    switch (line.command) {
      case command_kind::check: return check_command(line);
      case command_kind::migrate: return migrate_command(line);
      case command_kind::status: return status_command(line);
      case command_kind::replay: return replay_command(line);
      case command_kind::run: return run_command(line);
      case command_kind::resync: return resync_command(line);
      default: break;
    }
  } catch (const std::exception& e) {
    std::cerr << "kizen-sync " << command_name(line.command) << ": " << e.what() << "\n";
    return exit_failure;
  }
  return exit_usage;
}

}  // namespace ks::cli
