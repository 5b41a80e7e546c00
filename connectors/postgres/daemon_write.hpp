#pragma once
// Marks a transaction as the daemon's own write to a mapped table (a pulled record, an entity id
// written back): the capture trigger skips it, so nothing the daemon writes comes back to Kizen as
// a change (no echo). The flag lasts until the transaction ends.

#include <pqxx/transaction_base>
#include <string>

namespace ks::pg {

void daemon_write(pqxx::transaction_base& tx);

// Names the row of `object` the daemon writes next (`key`; empty for an insert keyed by the
// column's default): the capture trigger skips only that row, so a cascade or an application
// trigger it sets off is still captured. Until the next call or the transaction's end.
void daemon_row(pqxx::transaction_base& tx, const std::string& object, const std::string& key);

}  // namespace ks::pg
