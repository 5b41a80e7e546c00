#pragma once
// The per-key lock that makes a key one worker's at a time: the outbound sync holds it (session
// level) while a request for the key is in flight; the inbound sync takes it (transaction level)
// before it writes the key's row, so a row is never written under a request for it. One advisory
// lock class per sync schema: hashtext('<schema>.outbox'), the key hashtext(object || 0x1f || key).

#include "common/key_ref.hpp"

#include <pqxx/transaction_base>
#include <string>
#include <vector>

namespace ks::pg {

class key_lock {
 public:
  explicit key_lock(const std::string& schema);

  // Tries the session-level lock of each key; result[i] says whether keys[i] is now held by this
  // session (advisory locks stack: never take one twice).
  std::vector<bool> try_hold(pqxx::transaction_base& tx, const std::vector<key_ref>& keys) const;
  // Releases session-level locks this session holds (a key it does not hold is a no-op).
  void release(pqxx::transaction_base& tx, const std::vector<key_ref>& keys) const;
  // Waits for the key, then holds it until the transaction ends.
  void hold_for_transaction(pqxx::transaction_base& tx, const key_ref& key) const;

  // The lock class, for queries over pg_locks (status counts the keys in flight).
  const std::string& lock_class() const { return lock_class_; }
  // SQL of the key part of the lock for columns `object` and `key` of `alias`.
  static std::string key_sql(const std::string& alias);

 private:
  std::string lock_class_;  // "<schema>.outbox"
};

}  // namespace ks::pg
