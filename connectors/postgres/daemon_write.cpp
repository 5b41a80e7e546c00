#include "connectors/postgres/daemon_write.hpp"

namespace ks::pg {

void daemon_write(pqxx::transaction_base& tx) {
  // The capture function (migrations/002) reads this setting.
  tx.exec0("SET LOCAL kizen_sync.applying = 'on'");
}

}  // namespace ks::pg
