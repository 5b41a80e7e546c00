#pragma once
// The inbound failure list (<schema>.inbound_failures): Kizen records that could not be applied,
// one row per record, with the reason, the attempts and when to try again. Works in the caller's
// transaction (a page's failures are recorded in the page's commit). Blocking (libpqxx).

#include "connectors/postgres/values.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <pqxx/transaction_base>
#include <string>
#include <vector>

namespace ks::pg {

struct inbound_failure {
  std::string object;
  std::string entity_id;
  std::optional<timestamp> kizen_updated;
  std::string reason;
  int attempts = 0;
  timestamp first_failed_at;
  timestamp next_attempt_at;
};

struct inbound_failure_summary {
  std::string object;
  std::int64_t count = 0;
  std::optional<timestamp> oldest;  // when the longest-failing record first failed
  std::string last_reason;          // of the most recent failure
};

// Between attempts: initial * 2^(attempts - 1), at most `max`.
struct failure_backoff {
  std::chrono::milliseconds initial{1000};
  std::chrono::milliseconds max{300'000};
};

class inbound_failure_store {
 public:
  explicit inbound_failure_store(std::string schema);

  // A record failed (again): counts the attempt and schedules the next one.
  void record(pqxx::transaction_base& tx, const std::string& object, const std::string& entity_id,
              const std::optional<timestamp>& kizen_updated, const std::string& reason,
              const failure_backoff& backoff) const;
  // Records applied since: off the list.
  void clear(pqxx::transaction_base& tx, const std::string& object, const std::vector<std::string>& entity_ids) const;
  // Up to `limit` failures of `object` due now, soonest first.
  std::vector<inbound_failure> due(pqxx::transaction_base& tx, const std::string& object, int limit) const;

  std::vector<inbound_failure_summary> summary(pqxx::transaction_base& tx) const;
  std::vector<inbound_failure> list(pqxx::transaction_base& tx, const std::optional<std::string>& object,
                                    int limit) const;
  // replay --inbound: due now (`entity_ids` empty = all of `object`, or all); returns how many.
  std::int64_t retry_now(pqxx::transaction_base& tx, const std::optional<std::string>& object,
                         const std::vector<std::string>& entity_ids) const;
  // replay --inbound --skip: off the list, never applied; returns how many.
  std::int64_t drop(pqxx::transaction_base& tx, const std::optional<std::string>& object,
                    const std::vector<std::string>& entity_ids) const;

 private:
  std::string table_;
};

}  // namespace ks::pg
