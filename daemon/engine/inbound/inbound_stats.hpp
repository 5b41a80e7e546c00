#pragma once
// What writing Kizen records to a table came to (a pull, a page, a reconcile walk).

#include <cstdint>
#include <string>
#include <vector>

namespace ks::engine {

struct inbound_stats {
  std::int64_t seen = 0;       // records looked at
  std::int64_t written = 0;    // rows inserted or updated
  std::int64_t unchanged = 0;  // rows already equal (or the record already known)
  std::int64_t failed = 0;     // records that could not be applied (logged)
  std::int64_t archived = 0;   // records found archived by a reconcile
  std::vector<std::string> errors;

  inbound_stats& operator+=(const inbound_stats& o) {
    seen += o.seen;
    written += o.written;
    unchanged += o.unchanged;
    failed += o.failed;
    archived += o.archived;
    errors.insert(errors.end(), o.errors.begin(), o.errors.end());
    return *this;
  }
};

}  // namespace ks::engine
