// `kizen-sync replay`: dead letters back into the queue.
#include "daemon/cli/commands.hpp"

#include "connectors/postgres/capture_trigger.hpp"
#include "connectors/postgres/outbox_store.hpp"

#include <iostream>
#include <pqxx/pqxx>

namespace ks::cli {

int replay_command(const command_line& line) {
  const auto cfg = load_config_reporting(line.config_path, std::cerr);
  if (!cfg) return exit_usage;
  if (line.object && !cfg->find_object(*line.object)) {
    std::cerr << "kizen-sync replay: object '" << *line.object << "' is not in " << line.config_path << "\n";
    return exit_usage;
  }
  auto conn = connect_postgres(*cfg, "replay");
  if (!conn) return exit_failure;
  pqxx::work tx(*conn);
  pg::outbox_store outbox(cfg->postgres.schema);
  std::vector<std::int64_t> ids(line.change_ids.begin(), line.change_ids.end());
  const auto requeued = outbox.replay(tx, line.object, ids);
  // Wake a running daemon now rather than at its next poll.
  tx.exec_params("SELECT pg_notify($1, 'replay')", pg::notify_channel(cfg->postgres.schema));
  tx.commit();
  std::cout << "requeued " << requeued << " dead change" << (requeued == 1 ? "" : "s") << "\n";
  if (!ids.empty() && requeued < static_cast<std::int64_t>(ids.size()))
    std::cout << "(" << ids.size() - static_cast<std::size_t>(requeued)
              << " of the given ids were not dead letters" << (line.object ? " of that object" : "") << ")\n";
  return exit_ok;
}

}  // namespace ks::cli
