#pragma once
// Brings Kizen changes into the tables (DESIGN.md "From Kizen", issue 5).
//
// Per object with direction both/from_kizen, every pull_interval: search `updated` >= cursor minus
// an overlap, ordered by `updated` (ties by id), following `next` to the end with only the mapped
// fields; each page is written in one transaction that also advances the (updated, id) cursor, so
// a crash re-reads rather than loses. Every reconcile_interval, a full walk compares Kizen with the
// identity map: records the incremental pull missed are applied, and mapped records that are gone
// (404 on GET) are handled per on_archive.
//
// Writes run with kizen_sync.applying on (the capture trigger ignores them: no echo); a row whose
// values already equal the record is not written; a key with queued outbound changes goes through
// the object's conflict policy, field by field, under the same per-key lock the outbound sync uses.

#include "config/config.hpp"
#include "connectors/kizen/client.hpp"
#include "connectors/postgres/cursor_store.hpp"
#include "connectors/postgres/identity_store.hpp"
#include "connectors/postgres/pending_columns.hpp"
#include "connectors/postgres/key_lock.hpp"
#include "connectors/postgres/row_reader.hpp"
#include "connectors/postgres/row_writer.hpp"
#include "connectors/postgres/db_pool.hpp"
#include "daemon/engine/mapping/object_bindings.hpp"
#include "daemon/engine/inbound/translated_record.hpp"
#include "daemon/service/metrics.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <spdlog/logger.h>
#include <string>
#include <vector>

namespace ks::engine {

struct inbound_settings {
  std::chrono::milliseconds overlap{2000};  // re-read window behind the cursor
  int page_size = 100;
  int reference_depth = 2;                  // how far referenced records are pulled first
};

struct inbound_stats {
  std::int64_t seen = 0;      // records looked at
  std::int64_t written = 0;   // rows inserted or updated
  std::int64_t unchanged = 0; // rows already equal (or the record already known)
  std::int64_t failed = 0;    // records that could not be applied (logged)
  std::int64_t archived = 0;  // records found archived by a reconcile
  std::vector<std::string> errors;
  inbound_stats& operator+=(const inbound_stats& o);
};

class inbound_puller {
 public:
  inbound_puller(boost::asio::any_io_executor executor, const config::config& cfg, const object_bindings& bindings,
                 kizen::client& client, pg::db_pool& work_pool, service::metrics& metrics,
                 std::shared_ptr<spdlog::logger> logger, inbound_settings settings = {});

  // Pulls every pulling object on its interval until stop(); returns when all loops ended.
  boost::asio::awaitable<void> run();
  void stop();

  // One incremental pull of an object (also what run() does each interval).
  boost::asio::awaitable<inbound_stats> pull(const object_binding& object);
  // One reconcile walk of an object.
  boost::asio::awaitable<inbound_stats> reconcile(const object_binding& object);
  // Writes records to the table (a search page, a resync page). `cursor_to`: advance the pull
  // cursor to this (updated, id) in the same transaction.
  boost::asio::awaitable<inbound_stats> apply_records(const object_binding& object,
                                                   const std::vector<kizen::record>& records,
                                                   std::optional<std::pair<kizen::timestamp, std::string>> cursor_to,
                                                   int depth = 0);

  // The search for one object's records: mapped received fields, ordered by `ordering`.
  kizen::search_query base_query(const object_binding& object, std::string ordering) const;

 private:
  boost::asio::awaitable<void> loop(const object_binding& object);
  boost::asio::awaitable<std::optional<std::vector<std::string>>> full_list(const std::string& entity_id,
                                                                           const std::string& field_id);
  inbound_stats write_records(pqxx::connection& conn, const object_binding& object,
                            const std::vector<kizen::record>& records,
                            const std::vector<translated_record>& translated,
                            const std::optional<std::pair<kizen::timestamp, std::string>>& cursor_to);
  boost::asio::awaitable<inbound_stats> handle_missing(const object_binding& object, const std::string& key,
                                                     const std::string& entity_id);

  boost::asio::any_io_executor executor_;
  const config::config& cfg_;
  const object_bindings& bindings_;
  kizen::client& client_;
  pg::db_pool& work_pool_;
  service::metrics& metrics_;
  std::shared_ptr<spdlog::logger> logger_;
  inbound_settings settings_;
  pg::identity_store identities_;
  pg::cursor_store cursors_;
  pg::key_lock locks_;
  pg::row_reader reader_;
  pg::row_writer rows_;
  pg::pending_columns pending_;
  std::vector<std::unique_ptr<boost::asio::steady_timer>> timers_;
  boost::asio::steady_timer finished_;
  int loops_running_ = 0;
  bool stopping_ = false;
};

}  // namespace ks::engine
