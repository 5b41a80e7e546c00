#pragma once
// A savepoint in a transaction: what fails after it can be rolled back without aborting the whole
// transaction (one record of a page fails alone). Unless release()d, it is rolled back when it
// goes out of scope, on an exception as well.
//
// Not pqxx::subtransaction: in libpqxx 6.4 a failed exec_params() inside one leaves the
// transaction aborted ("current transaction is aborted") instead of rolling back to its savepoint.

#include <pqxx/transaction_base>
#include <string>

namespace ks::pg {

class savepoint {
 public:
  // `name` must be a plain SQL identifier (it is not quoted).
  savepoint(pqxx::transaction_base& tx, std::string name);
  ~savepoint();
  savepoint(const savepoint&) = delete;
  savepoint& operator=(const savepoint&) = delete;

  // Keeps what was done since the savepoint.
  void release();
  // Undoes what was done since the savepoint (the transaction goes on); idempotent.
  void roll_back();

 private:
  pqxx::transaction_base& tx_;
  std::string name_;
  bool open_ = true;
};

}  // namespace ks::pg
