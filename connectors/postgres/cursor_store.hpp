#pragma once
// Inbound progress per object (<schema>.pull_cursors): the (updated, id) of the last record
// committed from Kizen, and the outcome of the last pull (for `status`). Works in the caller's
// transaction so the cursor advances in the same commit as the rows of the page it covers.
// Blocking: never call it on an Asio thread.

#include "common/result.hpp"
#include "connectors/postgres/values.hpp"

#include <cstdint>
#include <optional>
#include <pqxx/transaction_base>
#include <string>

namespace ks::pg {

struct pull_cursor {
  std::string object;
  std::optional<timestamp> updated;  // nothing before the first record was committed
  std::optional<std::string> id;     // lower-case UUID of that record
  std::optional<timestamp> last_pull_at;
  std::optional<std::string> last_pull_error;  // nothing when the last pull succeeded
  std::int64_t records_pulled = 0;             // total over all pulls
};

class cursor_store {
 public:
  explicit cursor_store(std::string schema);

  // The object's cursor; a fresh one (nothing pulled yet) when none is stored.
  pull_cursor get(pqxx::transaction_base& tx, const std::string& object) const;

  // Moves the cursor to (updated, id) if that is after the stored position (updated first, then
  // id); a position at or before it is ignored, so re-reading an overlap never moves it back.
  // Returns whether it moved; fails, without touching the transaction, when `id` is not a UUID.
  ks::result<bool, std::string> advance(pqxx::transaction_base& tx, const std::string& object, timestamp updated,
                                        const std::string& id) const;

  // Records a pull: last_pull_at = now, last_pull_error = `error` (nothing = success), and adds
  // `records` to the total.
  void record_pull(pqxx::transaction_base& tx, const std::string& object, const std::optional<std::string>& error,
                   std::int64_t records) const;

  // Forgets the position (a full resync from Kizen starts from the beginning); keeps the totals.
  void reset(pqxx::transaction_base& tx, const std::string& object) const;

 private:
  std::string table_;  // "schema".pull_cursors
};

}  // namespace ks::pg
