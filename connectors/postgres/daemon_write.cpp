#include "connectors/postgres/daemon_write.hpp"

namespace ks::pg {

void daemon_write(pqxx::transaction_base& tx) {
  // The capture function (migrations/002) reads this setting.
  tx.exec0("SET LOCAL kizen_sync.applying = 'on'");
}

void daemon_row(pqxx::transaction_base& tx, const std::string& object, const std::string& key) {
  // The capture function (migrations/005) compares it with its object and the row's key.
  tx.exec_params("SELECT pg_catalog.set_config('kizen_sync.applying_row', $1, true)", object + "\n" + key);
}

}  // namespace ks::pg
