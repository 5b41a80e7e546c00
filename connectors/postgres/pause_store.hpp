#pragma once
// The outbound pauses of the running daemons (<schema>.outbound_pauses): a daemon whose outbound is
// paused because Kizen as a whole fails records it, and `status` reads it.

#include "connectors/postgres/values.hpp"

#include <chrono>
#include <pqxx/transaction_base>
#include <string>
#include <vector>

namespace ks::pg {

struct outbound_pause {
  std::string owner;  // host:pid
  timestamp since;
  std::string reason;
  double seen_seconds_ago = 0;
};

class pause_store {
 public:
  explicit pause_store(const std::string& schema);

  // Paused (or still paused: refreshes seen_at).
  void record(pqxx::transaction_base& tx, const std::string& owner, timestamp since, const std::string& reason) const;
  // Resumed, or stopping.
  void clear(pqxx::transaction_base& tx, const std::string& owner) const;
  // The pauses refreshed within `fresh` (older rows are daemons that died paused).
  std::vector<outbound_pause> live(pqxx::transaction_base& tx, std::chrono::seconds fresh) const;

 private:
  std::string table_;
};

}  // namespace ks::pg
