#pragma once
// Writes a page of Kizen records into a mapped table: one transaction for the page (it also moves
// the pull cursor, so a crash re-reads rather than loses), one savepoint per record, so one record
// that cannot be applied fails alone; it goes to the inbound failure list (retried later, shown by
// status) in the same commit, and records applied come off it. Each record is matched by record_match, whose
// questions this answers from the table, the identity map and the outbox. Writes run as the
// daemon's own (daemon_write: no echo). Blocking (libpqxx): run it on a db_pool thread.

#include "connectors/kizen/record.hpp"
#include "connectors/postgres/cursor_store.hpp"
#include "connectors/postgres/identity_store.hpp"
#include "connectors/postgres/inbound_failure_store.hpp"
#include "connectors/postgres/key_lease.hpp"
#include "connectors/postgres/pending_columns.hpp"
#include "connectors/postgres/row_reader.hpp"
#include "connectors/postgres/row_writer.hpp"
#include "daemon/engine/inbound/inbound_stats.hpp"
#include "daemon/engine/inbound/record_match.hpp"
#include "daemon/engine/inbound/translated_record.hpp"
#include "daemon/engine/mapping/field_binding.hpp"

#include <spdlog/logger.h>
#include <chrono>
#include <memory>
#include <optional>
#include <pqxx/connection>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace ks::engine {

// A record whose row has a request in flight to Kizen (a live lease on its key): it waits in the
// inbound failure list for its next try rather than racing that request.
struct key_in_flight : std::runtime_error {
  key_in_flight() : std::runtime_error("a change of this row is being sent to Kizen right now; tried again shortly") {}
};

struct record_writer_settings {
  // How long a record waits for the key lock an outbound request holds before it fails.
  std::chrono::milliseconds lock_timeout{60'000};
  // When a record that failed is tried again (doubling from initial up to max).
  pg::failure_backoff failure_retry;
};

class record_writer {
 public:
  record_writer(const std::string& schema, std::shared_ptr<spdlog::logger> logger,
                record_writer_settings settings = {});

  // `translated[i]` is `records[i]` as column values. `cursor_to`: move the pull cursor to this
  // (updated, id) in the same transaction.
  inbound_stats write(pqxx::connection& conn, const object_binding& object, const std::vector<kizen::record>& records,
                      const std::vector<translated_record>& translated,
                      const std::optional<std::pair<kizen::timestamp, std::string>>& cursor_to) const;

 private:
  struct applied {
    enum class kind { written, unchanged, failed };
    kind what = kind::unchanged;
    std::string reason;  // failed
  };
  // One record, in a savepoint of its own: what failed is undone alone.
  applied apply_one(pqxx::transaction_base& tx, const object_binding& object, const kizen::record& rec,
                    const translated_record& translated, const pg::column_kinds& kinds) const;
  // The answer to one of record_match's questions.
  match_answer answer(pqxx::transaction_base& tx, const object_binding& object, const record_match& match,
                      const match_question& q, const pg::column_kinds& kinds) const;

  std::shared_ptr<spdlog::logger> logger_;
  record_writer_settings settings_;
  pg::identity_store identities_;
  pg::cursor_store cursors_;
  pg::key_lease leases_;
  pg::row_reader table_rows_;
  pg::row_writer writer_;
  pg::pending_columns pending_;
  pg::inbound_failure_store failures_;
};

}  // namespace ks::engine
