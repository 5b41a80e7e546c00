#pragma once
// What PostgreSQL says about the rows a change references (relationship columns): their Kizen ids
// (the identity map), whether a create should wait for one to reach Kizen first, and, when a wait
// is recorded, where each referenced row stands. Blocking (libpqxx).

#include "common/key_ref.hpp"
#include "connectors/postgres/identity_store.hpp"
#include "connectors/postgres/outbox_store.hpp"
#include "connectors/postgres/row_reader.hpp"
#include "daemon/engine/mapping/object_bindings.hpp"
#include "daemon/engine/outbound/reference_wait.hpp"

#include <cstdint>
#include <map>
#include <pqxx/transaction_base>
#include <string>
#include <vector>

namespace ks::engine {

class reference_reader {
 public:
  reference_reader(const std::string& schema, const object_bindings& bindings);

  struct resolved {
    std::map<key_ref, std::string> ids;  // referenced rows with a Kizen id
    std::vector<key_ref> wait_for;       // rows without one that a create waits for
  };
  // `create`: the change creates its record; `own_head`: its earliest outbox change.
  resolved resolve(pqxx::transaction_base& tx, const std::vector<key_ref>& refs, bool create,
                   std::int64_t own_head) const;

  // A key update, as the two sides of a move see it. The new key's insert waits while the old key
  // has a change older than `before` still open (its move, or what came before it).
  bool moved_from_open(pqxx::transaction_base& tx, const key_ref& from, std::int64_t before) const;
  // The old key may hand its record over only if the new key has none of its own (else, e.g. two
  // keys swapped in one statement, the move is an archive and a create as before).
  bool move_target_free(pqxx::transaction_base& tx, const key_ref& to) const;

  // Where each row a waiting change names stands now.
  std::vector<referenced_row> rows(pqxx::transaction_base& tx, const std::vector<key_ref>& refs) const;

 private:
  const object_bindings& bindings_;
  pg::outbox_store outbox_;
  pg::identity_store identities_;
  pg::row_reader table_rows_;
};

}  // namespace ks::engine
