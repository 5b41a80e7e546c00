#include "daemon/engine/outbound/key_claim.hpp"

namespace ks::engine {

key_claim::key_claim(const std::string& schema, std::vector<std::string> objects, int max_merge,
                     std::chrono::milliseconds lease, std::string owner)
    : outbox_(schema),
      identities_(schema),
      leases_(schema),
      objects_(std::move(objects)),
      max_merge_(max_merge),
      lease_(lease),
      owner_(std::move(owner)) {}

std::vector<claimed_key> key_claim::claim(pqxx::transaction_base& tx, std::size_t capacity,
                                          const std::vector<key_ref>& skip) const {
  std::vector<claimed_key> out;
  if (objects_.empty() || capacity == 0) return out;
  const auto leased = leases_.claim(tx, static_cast<int>(capacity), objects_, skip, lease_, owner_);
  std::vector<pg::leased_key> release;
  for (const auto& l : leased) {
    auto changes = outbox_.pending_changes(tx, l.key, max_merge_);
    if (changes.empty()) {  // nothing due after all (its head was recorded meanwhile)
      release.push_back(l);
      continue;
    }
    out.push_back({l.key, l.epoch, std::move(changes), identities_.find(tx, l.key.object, l.key.key)});
  }
  leases_.release(tx, release);
  return out;
}

void key_claim::release(pqxx::transaction_base& tx, const std::vector<pg::leased_key>& keys) const {
  leases_.release(tx, keys);
}

void key_claim::hold_back(pqxx::transaction_base& tx, const pg::leased_key& key,
                          std::chrono::milliseconds delay) const {
  leases_.hold_back(tx, key, delay);
}

}  // namespace ks::engine
