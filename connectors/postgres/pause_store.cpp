#include "connectors/postgres/pause_store.hpp"

#include "connectors/postgres/sql_quote.hpp"

#include <pqxx/result>

namespace ks::pg {

pause_store::pause_store(const std::string& schema) : table_(qualified_name(schema, "outbound_pauses")) {}

void pause_store::record(pqxx::transaction_base& tx, const std::string& owner, timestamp since,
                         const std::string& reason) const {
  tx.exec_params("INSERT INTO " + table_ + " (owner, paused_since, reason, seen_at) VALUES ($1, " +
                     timestamp_from_micros_sql("$2") +
                     ", $3, now())"
                     " ON CONFLICT (owner) DO UPDATE SET paused_since = EXCLUDED.paused_since,"
                     " reason = EXCLUDED.reason, seen_at = now()",
                 owner, to_micros(since), reason);
}

void pause_store::clear(pqxx::transaction_base& tx, const std::string& owner) const {
  tx.exec_params("DELETE FROM " + table_ + " WHERE owner = $1", owner);
}

std::vector<outbound_pause> pause_store::live(pqxx::transaction_base& tx, std::chrono::seconds fresh) const {
  const auto r = tx.exec_params("SELECT owner, " + micros_from_timestamp_sql("paused_since") +
                                    ", reason, extract(epoch FROM now() - seen_at)::float8 FROM " + table_ +
                                    " WHERE seen_at > now() - $1::bigint * interval '1 second' ORDER BY paused_since",
                                static_cast<std::int64_t>(fresh.count()));
  std::vector<outbound_pause> out;
  for (const auto& row : r)
    out.push_back({row[0].as<std::string>(), timestamp(std::chrono::microseconds(row[1].as<std::int64_t>())),
                   row[2].as<std::string>(), row[3].as<double>()});
  return out;
}

}  // namespace ks::pg
