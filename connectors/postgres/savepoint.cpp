#include "connectors/postgres/savepoint.hpp"

namespace ks::pg {

savepoint::savepoint(pqxx::transaction_base& tx, std::string name) : tx_(tx), name_(std::move(name)) {
  tx_.exec0("SAVEPOINT " + name_);
}

savepoint::~savepoint() {
  try {
    roll_back();
  } catch (...) {
    // The connection is gone: the whole transaction is lost anyway, and its caller finds out.
  }
}

void savepoint::release() {
  if (!open_) return;
  tx_.exec0("RELEASE SAVEPOINT " + name_);
  open_ = false;
}

void savepoint::roll_back() {
  if (!open_) return;
  open_ = false;
  tx_.exec0("ROLLBACK TO SAVEPOINT " + name_);
  tx_.exec0("RELEASE SAVEPOINT " + name_);
}

}  // namespace ks::pg
