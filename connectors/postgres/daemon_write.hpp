#pragma once
// Marks a transaction as the daemon's own write to a mapped table (a pulled record, an entity id
// written back): the capture trigger skips it, so nothing the daemon writes comes back to Kizen as
// a change (no echo). The flag lasts until the transaction ends.

#include <pqxx/transaction_base>

namespace ks::pg {

void daemon_write(pqxx::transaction_base& tx);

}  // namespace ks::pg
