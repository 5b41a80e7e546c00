#pragma once
// One claim of outbound work, in the claim session's transaction: picks the keys whose earliest
// change is due, takes each key's lock (another daemon may hold it), and reads the key's leading
// run of pending changes and its identity. Blocking (libpqxx): run it on a db_pool thread.

#include "common/key_ref.hpp"
#include "connectors/postgres/identity_store.hpp"
#include "connectors/postgres/key_lock.hpp"
#include "connectors/postgres/outbox_change.hpp"
#include "connectors/postgres/outbox_store.hpp"

#include <cstddef>
#include <optional>
#include <pqxx/transaction_base>
#include <string>
#include <vector>

namespace ks::engine {

struct claimed_key {
  key_ref key;
  std::vector<pg::outbox_change> changes;  // the leading run of pending changes, in order
  std::optional<pg::identity> identity;    // the key's Kizen record, if it is mapped
};

class key_claim {
 public:
  // `objects`: the objects that send (direction both/to_kizen); `max_merge`: the most changes of
  // one key read (and merged into one request).
  key_claim(const std::string& schema, std::vector<std::string> objects, int max_merge);

  // Up to `capacity` due keys, not in `skip` (keys this session already holds), now held by this
  // session's key lock.
  std::vector<claimed_key> claim(pqxx::transaction_base& tx, std::size_t capacity,
                                 const std::vector<key_ref>& skip) const;
  // Releases keys this session holds (finished, or given up).
  void release(pqxx::transaction_base& tx, const std::vector<key_ref>& keys) const;

  const std::vector<std::string>& objects() const { return objects_; }

 private:
  pg::outbox_store outbox_;
  pg::identity_store identities_;
  pg::key_lock locks_;
  std::vector<std::string> objects_;
  int max_merge_;
};

}  // namespace ks::engine
