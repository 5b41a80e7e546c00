#pragma once
// The view of a key's queued outbound changes that the inbound conflict policy needs: which
// columns are waiting to go to Kizen (and since when), and dropping columns Kizen superseded.

#include <boost/json/object.hpp>
#include <chrono>
#include <map>
#include <pqxx/transaction_base>
#include <string>
#include <vector>

namespace ks::pg {

class pending_columns {
 public:
  explicit pending_columns(std::string schema);

  // Column → commit time of the latest pending (not dead, not done) change of that column.
  std::map<std::string, std::chrono::system_clock::time_point> of_key(pqxx::transaction_base& tx,
                                                                      const std::string& object,
                                                                      const std::string& key) const;
  // Kizen's values of `columns` were just written to the row (`row` is its image now, as the
  // capture trigger writes images): removes them from the key's pending updates (updates left
  // with nothing to send are marked done, "superseded by Kizen"), and every pending image takes
  // the row's values of them, so a queued insert (which sends the whole row) carries Kizen's
  // values instead of reverting them.
  void drop(pqxx::transaction_base& tx, const std::string& object, const std::string& key,
            const std::vector<std::string>& columns, const boost::json::object& row) const;
  // Marks every pending change of the key done with `reason` (e.g. the record was archived in
  // Kizen and the row deleted to match).
  void settle_all(pqxx::transaction_base& tx, const std::string& object, const std::string& key,
                  const std::string& reason) const;

 private:
  std::string table_;
};

}  // namespace ks::pg
