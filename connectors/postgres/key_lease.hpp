#pragma once
// The lease that makes a key one worker's at a time (DESIGN.md invariant 2). A claim takes the
// lease on the key's row of <schema>.outbox_keys: a fresh epoch from a sequence and an expiry by
// the database's clock. The result of a request for the key is recorded only under that epoch
// (hold()), so a daemon whose connection dropped, or which stalled past its lease, records
// nothing over the next owner's work; the inbound sync leaves a leased key alone (busy()). A
// killed daemon's keys wait at most one lease, then any daemon takes them.

#include "common/key_ref.hpp"

#include <chrono>
#include <cstdint>
#include <pqxx/transaction_base>
#include <string>
#include <vector>

namespace ks::pg {

struct leased_key {
  key_ref key;
  std::int64_t epoch = 0;
};

class key_lease {
 public:
  explicit key_lease(const std::string& schema);

  // Leases up to `limit` keys of `objects` that are due and free, earliest due first, leaving out
  // `skip`; each lease lasts `length` from now by the database's clock. One statement, whatever
  // the backlog: it reads the claimable index from its start and skips rows another claim holds.
  std::vector<leased_key> claim(pqxx::transaction_base& tx, int limit, const std::vector<std::string>& objects,
                                const std::vector<key_ref>& skip, std::chrono::milliseconds length,
                                const std::string& owner) const;
  // Gives leases back (the key is claimable again at once, or at its next attempt). A lease that
  // is no longer ours is left alone.
  void release(pqxx::transaction_base& tx, const std::vector<leased_key>& keys) const;
  // Keeps the key away from claims for `delay` (a failure nothing could record), if still ours.
  void hold_back(pqxx::transaction_base& tx, const leased_key& key, std::chrono::milliseconds delay) const;
  // The fence: true if the lease is still ours (same epoch), and then it is released as part of
  // this transaction; false if another claim took the key since, and then nothing may be recorded.
  // Locks the key's row until the transaction ends.
  bool settle(pqxx::transaction_base& tx, const leased_key& key) const;
  // True if a live lease is held on the key (a request for it may be in flight). Otherwise the
  // key's row (if any) is share-locked until the transaction ends, so no claim takes it meanwhile.
  bool busy(pqxx::transaction_base& tx, const key_ref& key) const;

  // "<schema>".outbox_keys, for status queries.
  const std::string& table() const { return table_; }

 private:
  std::string table_;
  std::string epochs_;
};

}  // namespace ks::pg
