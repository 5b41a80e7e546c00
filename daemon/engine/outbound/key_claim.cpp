#include "daemon/engine/outbound/key_claim.hpp"

namespace ks::engine {

key_claim::key_claim(const std::string& schema, std::vector<std::string> objects, int max_merge)
    : outbox_(schema), identities_(schema), locks_(schema), objects_(std::move(objects)), max_merge_(max_merge) {}

std::vector<claimed_key> key_claim::claim(pqxx::transaction_base& tx, std::size_t capacity,
                                          const std::vector<key_ref>& skip) const {
  std::vector<claimed_key> out;
  if (objects_.empty() || capacity == 0) return out;
  const auto keys = outbox_.due_keys(tx, static_cast<int>(capacity), skip, objects_);
  const auto held = locks_.try_hold(tx, keys);
  std::vector<key_ref> release;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (!held[i]) continue;  // another daemon has it
    auto changes = outbox_.pending_changes(tx, keys[i], max_merge_);
    if (changes.empty()) {  // finished by someone else between the two reads
      release.push_back(keys[i]);
      continue;
    }
    out.push_back({keys[i], std::move(changes), identities_.find(tx, keys[i].object, keys[i].key)});
  }
  locks_.release(tx, release);
  return out;
}

void key_claim::release(pqxx::transaction_base& tx, const std::vector<key_ref>& keys) const {
  locks_.release(tx, keys);
}

}  // namespace ks::engine
