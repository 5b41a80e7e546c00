#pragma once
// The identity map (<schema>.identity_map): which Kizen record (entity_id) each key of an object
// corresponds to, and the mapped values last known equal on both sides. Every method works in
// the caller's transaction, so an identity is stored together with the writes it belongs to
// (e.g. marking outbox changes done). Blocking: never call it on an Asio thread.

#include "common/result.hpp"
#include "connectors/postgres/values.hpp"

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <pqxx/transaction_base>
#include <string>
#include <utility>
#include <vector>

namespace ks::pg {

struct identity {
  std::string object;
  std::string key;
  std::string entity_id;              // lower-case UUID
  boost::json::object synced_values;  // column -> value last known equal on both sides
  std::optional<timestamp> kizen_updated;
  timestamp created_at;
  timestamp updated_at;
};

struct identity_error {
  enum class kind {
    invalid_entity_id,       // not a UUID
    entity_mapped_elsewhere  // the entity_id already belongs to another key of the object
  };
  kind what = kind::invalid_entity_id;
  std::string message;    // names object, key and entity_id
  std::string other_key;  // entity_mapped_elsewhere: the key the entity_id belongs to
};

class identity_store {
 public:
  explicit identity_store(std::string schema);

  std::optional<identity> find(pqxx::transaction_base& tx, const std::string& object, const std::string& key) const;
  // Nothing when entity_id is not a UUID or not mapped.
  std::optional<identity> find_by_entity(pqxx::transaction_base& tx, const std::string& object,
                                         const std::string& entity_id) const;

  // Inserts or updates the identity of (object, key). Refuses, without touching the transaction,
  // when entity_id is not a UUID or is already mapped to another key of the object: re-pointing
  // a record silently would sync one row's data onto another's record. (A concurrent transaction
  // saving the same entity_id for another key can still make the insert fail with
  // pqxx::unique_violation, aborting the caller's transaction; retry it.)
  ks::result<void, identity_error> save(pqxx::transaction_base& tx, const std::string& object, const std::string& key,
                                        const std::string& entity_id, const boost::json::object& synced_values,
                                        std::optional<timestamp> kizen_updated) const;

  // A key update: the identity of `from` becomes the identity of `to` (same record, same synced
  // values). False, changing nothing, when `from` has none or `to` already has one.
  bool move(pqxx::transaction_base& tx, const std::string& object, const std::string& from,
            const std::string& to) const;
  // True when there was an identity to remove.
  bool remove(pqxx::transaction_base& tx, const std::string& object, const std::string& key) const;

  std::int64_t count(pqxx::transaction_base& tx, const std::string& object) const;
  // Every (key, entity_id) of the object, for the reconcile walk that finds archived records.
  std::vector<std::pair<std::string, std::string>> entries(pqxx::transaction_base& tx, const std::string& object) const;

 private:
  std::optional<identity> select_one(pqxx::transaction_base& tx, const std::string& where, const std::string& object,
                                     const std::string& value) const;

  std::string table_;  // "schema".identity_map
};

}  // namespace ks::pg
