// `kizen-sync resync`: full load or repair of one object (issue 5: inbound sync).
#include "daemon/cli/commands.hpp"

#include <iostream>

namespace ks::cli {

int resync_command(const command_line& line) {
  const auto cfg = load_config_reporting(line.config_path, std::cerr);
  if (!cfg) return exit_usage;
  std::cerr << "kizen-sync resync: not available in this version yet\n";
  return exit_failure;
}

}  // namespace ks::cli
