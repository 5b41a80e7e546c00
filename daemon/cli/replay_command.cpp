// `kizen-sync replay`: dead letters back into the queue, or (--skip) given up on.
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
  const auto affected = line.skip ? outbox.skip_dead(tx, line.object, ids) : outbox.replay(tx, line.object, ids);
  // Wake a running daemon now rather than at its next poll (a skip unblocks the key's later changes).
  tx.exec_params("SELECT pg_notify($1, 'replay')", pg::notify_channel(cfg->postgres.schema));
  tx.commit();
  std::cout << (line.skip ? "skipped " : "requeued ") << affected << " dead change" << (affected == 1 ? "" : "s")
            << (line.skip ? " (marked done, not sent)" : "") << "\n";
  if (!ids.empty() && affected < static_cast<std::int64_t>(ids.size()))
    std::cout << "(" << ids.size() - static_cast<std::size_t>(affected) << " of the given ids were not dead letters"
              << (line.object ? " of that object" : "") << ")\n";
  return exit_ok;
}

}  // namespace ks::cli
