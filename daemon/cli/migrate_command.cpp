// `kizen-sync migrate`: create/update the sync schema and the capture triggers.
#include "config/connector_settings.hpp"
#include "daemon/cli/commands.hpp"

#include "connectors/postgres/migrator.hpp"
#include "daemon/service/logging.hpp"

#include <iostream>

namespace ks::cli {

int migrate_command(const command_line& line) {
  const auto cfg = load_config_reporting(line.config_path, std::cerr);
  if (!cfg) return exit_usage;
  auto conn = connect_postgres(*cfg, "migrate");
  if (!conn) return exit_failure;
  pg::migrator migrator(service::make_logger("migrate"));
  auto report = migrator.migrate(*conn, cfg->postgres.schema, config::table_mappings(*cfg));
  if (!report) {
    std::cerr << "kizen-sync migrate: " << report.error() << "\n";
    return exit_failure;
  }
  std::cout << report->summary() << "\n";
  for (const auto& w : report->warnings) std::cerr << "warning: " << w << "\n";
  return exit_ok;
}

}  // namespace ks::cli
