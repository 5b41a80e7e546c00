#pragma once
// What `kizen-sync resync` keeps in PostgreSQL: its progress per object and direction (so an
// interrupted resync resumes), and the bulk queueing of a table's rows as outbox changes.

#include "connectors/postgres/table_mapping.hpp"
#include "connectors/postgres/values.hpp"

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <pqxx/transaction_base>
#include <string>

namespace ks::pg {

struct resync_progress {
  std::string object;
  std::string direction;  // to_kizen | from_kizen
  std::int64_t total = 0;
  std::int64_t done = 0;
  boost::json::object position;  // {"last_key": "..."} (to_kizen) or {"page": n} (from_kizen)
  std::optional<std::int64_t> first_change_id;
  bool finished = false;
};

struct queued_batch {
  std::int64_t rows = 0;
  std::optional<std::string> last_key;  // resume after this key
  std::optional<std::int64_t> first_change_id;
};

struct queued_outcome {
  std::int64_t pending = 0;
  std::int64_t dead = 0;
  std::int64_t done = 0;
};

class resync_store {
 public:
  explicit resync_store(std::string schema);

  std::optional<resync_progress> load(pqxx::transaction_base& tx, const std::string& object,
                                      const std::string& direction) const;
  void save(pqxx::transaction_base& tx, const resync_progress& p) const;

  std::int64_t count_rows(pqxx::transaction_base& tx, const table_mapping& m) const;
  // Queues up to `limit` rows with keys after `after_key` (in key order) as insert changes, their
  // images built like the capture trigger's. A key already mapped is rewritten whole (repair).
  queued_batch enqueue_rows(pqxx::transaction_base& tx, const table_mapping& m,
                            const std::optional<std::string>& after_key, int limit) const;
  // States of the object's outbox changes from `first_change_id` on (what a resync queued, and
  // anything queued for the object after it).
  queued_outcome outcome_since(pqxx::transaction_base& tx, const std::string& object,
                               std::int64_t first_change_id) const;

 private:
  std::string schema_;
  std::string progress_table_;
  std::string outbox_table_;
};

}  // namespace ks::pg
