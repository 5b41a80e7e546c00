#pragma once
// The reconcile's checkpoint (<schema>.reconcile_progress) and its marks on the identity map:
// the walk marks each identity it meets with the walk's start, then asks for the mapped records
// it did not meet, a page at a time. Nothing here grows with the object. Blocking (libpqxx).

#include "connectors/postgres/values.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <pqxx/transaction_base>
#include <string>
#include <utility>
#include <vector>

namespace ks::pg {

struct reconcile_progress {
  std::string object;
  std::int64_t walk_started = 0;      // microseconds since the epoch; names the walk
  std::optional<timestamp> position;  // `created` of the last record met
  bool walking = true;                // false: looking up the mapped records the walk did not meet
  std::string unmet_after;            // the last key looked up (unmet phase)
  std::int64_t records_seen = 0;
};

class reconcile_store {
 public:
  explicit reconcile_store(std::string schema);

  // The walk under way for `object`, if any.
  std::optional<reconcile_progress> get(pqxx::transaction_base& tx, const std::string& object) const;
  // A new walk of `object`, starting now (replaces one under way).
  reconcile_progress start(pqxx::transaction_base& tx, const std::string& object) const;
  void save(pqxx::transaction_base& tx, const reconcile_progress& p) const;
  void finish(pqxx::transaction_base& tx, const std::string& object) const;

  // Marks the identities of these records (lower-case ids) met by the walk; returns each known
  // one's last applied Kizen version (null when none).
  std::map<std::string, std::optional<timestamp>> meet(pqxx::transaction_base& tx, const reconcile_progress& p,
                                                       const std::vector<std::string>& entity_ids) const;
  // Up to `limit` mapped records (key, entity id) that were mapped before the walk started and
  // that it did not meet, after key `p.unmet_after`, in key order.
  std::vector<std::pair<std::string, std::string>> unmet(pqxx::transaction_base& tx, const reconcile_progress& p,
                                                         int limit) const;

 private:
  std::string progress_;
  std::string identities_;
};

}  // namespace ks::pg
