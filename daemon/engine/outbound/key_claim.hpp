#pragma once
// One claim of outbound work, in one transaction: leases the keys whose earliest change is due
// (key_lease: no other daemon, nor this one, holds them), and reads each key's leading run of
// pending changes and its identity. Blocking (libpqxx): run it on a db_pool thread.

#include "common/key_ref.hpp"
#include "connectors/postgres/identity_store.hpp"
#include "connectors/postgres/key_lease.hpp"
#include "connectors/postgres/outbox_change.hpp"
#include "connectors/postgres/outbox_store.hpp"

#include <chrono>
#include <cstddef>
#include <optional>
#include <pqxx/transaction_base>
#include <string>
#include <vector>

namespace ks::engine {

struct claimed_key {
  key_ref key;
  std::int64_t epoch = 0;                  // the lease: results are recorded only under it
  std::vector<pg::outbox_change> changes;  // the leading run of pending changes, in order
  std::optional<pg::identity> identity;    // the key's Kizen record, if it is mapped

  pg::leased_key lease() const { return {key, epoch}; }
};

class key_claim {
 public:
  // `objects`: the objects that send (direction both/to_kizen); `max_merge`: the most changes of
  // one key read (and merged into one request); `lease`: how long a claim holds a key; `owner`:
  // who holds it (host and pid), shown to operators.
  key_claim(const std::string& schema, std::vector<std::string> objects, int max_merge,
            std::chrono::milliseconds lease, std::string owner);

  // Up to `capacity` due keys, not in `skip` (keys this process has in flight or keeps aside),
  // now leased to this process.
  std::vector<claimed_key> claim(pqxx::transaction_base& tx, std::size_t capacity,
                                 const std::vector<key_ref>& skip) const;
  // Gives back leases of keys whose work ended without a recorded outcome.
  void release(pqxx::transaction_base& tx, const std::vector<pg::leased_key>& keys) const;
  // Keeps a failed key leased (away from every daemon's claims) for `delay`, if still ours.
  void hold_back(pqxx::transaction_base& tx, const pg::leased_key& key, std::chrono::milliseconds delay) const;

  const std::vector<std::string>& objects() const { return objects_; }
  std::chrono::milliseconds lease_length() const { return lease_; }

 private:
  pg::outbox_store outbox_;
  pg::identity_store identities_;
  pg::key_lease leases_;
  std::vector<std::string> objects_;
  int max_merge_;
  std::chrono::milliseconds lease_;
  std::string owner_;
};

}  // namespace ks::engine
