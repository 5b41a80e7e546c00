// `kizen-sync replay`: dead letters back into the queue, or (--skip) given up on; with --inbound,
// the same for the inbound failure list.
#include "daemon/cli/commands.hpp"

#include "connectors/postgres/capture_trigger.hpp"
#include "connectors/postgres/inbound_failure_store.hpp"
#include "connectors/postgres/outbox_store.hpp"

#include <iostream>
#include <pqxx/pqxx>

namespace ks::cli {

namespace {

int replay_inbound(const command_line& line, pqxx::work& tx, const std::string& schema) {
  pg::inbound_failure_store failures(schema);
  const auto affected = line.skip ? failures.drop(tx, line.object, line.record_ids)
                                  : failures.retry_now(tx, line.object, line.record_ids);
  tx.commit();
  std::cout << (line.skip ? "dropped " : "due now: ") << affected << " record" << (affected == 1 ? "" : "s")
            << (line.skip ? " from the inbound failure list (not written to the table)"
                          : " of the inbound failure list (retried at the next pull)")
            << "\n";
  if (!line.record_ids.empty() && affected < static_cast<std::int64_t>(line.record_ids.size()))
    std::cout << "(" << line.record_ids.size() - static_cast<std::size_t>(affected)
              << " of the given records were not in the list" << (line.object ? " for that object" : "") << ")\n";
  return exit_ok;
}

}  // namespace

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
  if (line.inbound) return replay_inbound(line, tx, cfg->postgres.schema);
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
