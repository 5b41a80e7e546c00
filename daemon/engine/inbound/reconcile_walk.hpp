#pragma once
// The periodic full walk of one object (reconcile_interval): records the incremental pull missed
// are applied, and mapped records the walk no longer meets are looked up one by one; those that
// are gone (404: archived in Kizen) are handled per on_archive (the row deleted, or left alone),
// and their identity dropped.

#include "connectors/kizen/client.hpp"
#include "connectors/postgres/db_pool.hpp"
#include "connectors/postgres/identity_store.hpp"
#include "connectors/postgres/key_lock.hpp"
#include "connectors/postgres/pending_columns.hpp"
#include "connectors/postgres/row_writer.hpp"
#include "daemon/engine/inbound/inbound_stats.hpp"
#include "daemon/engine/inbound/record_applier.hpp"

#include <boost/asio/awaitable.hpp>
#include <memory>
#include <spdlog/logger.h>
#include <stop_token>
#include <string>

namespace ks::engine {

class reconcile_walk {
 public:
  reconcile_walk(const std::string& schema, kizen::client& client, pg::db_pool& work_pool, record_applier& records,
                 std::shared_ptr<spdlog::logger> logger);

  // One walk of `object`; stops early (returning what it did) when `stop` is requested.
  boost::asio::awaitable<inbound_stats> run(const object_binding& object, std::stop_token stop);

 private:
  // A mapped record the walk did not meet: re-read it, or handle it as archived.
  boost::asio::awaitable<inbound_stats> handle_missing(const object_binding& object, const std::string& key,
                                                       const std::string& entity_id);

  kizen::client& client_;
  pg::db_pool& work_pool_;
  record_applier& records_;
  std::shared_ptr<spdlog::logger> logger_;
  pg::identity_store identities_;
  pg::key_lock locks_;
  pg::row_writer writer_;
  pg::pending_columns pending_;
};

}  // namespace ks::engine
