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
#include "daemon/engine/inbound/inbound_context.hpp"
#include "daemon/engine/inbound/inbound_stats.hpp"
#include "daemon/engine/inbound/record_applier.hpp"

#include <spdlog/logger.h>
#include <boost/asio/awaitable.hpp>
#include <memory>
#include <stop_token>
#include <string>

namespace ks::engine {

class reconcile_walk {
 public:
  reconcile_walk(inbound_context context, record_applier& records);

  // One walk of `object`; stops early (returning what it did) when `stop` is requested.
  boost::asio::awaitable<inbound_stats> run(const object_binding& object, std::stop_token stop);

 private:
  // A mapped record the walk did not meet: re-read it, or handle it as archived.
  boost::asio::awaitable<inbound_stats> handle_missing(const object_binding& object, const std::string& key,
                                                       const std::string& entity_id);

  inbound_context ctx_;
  record_applier& records_;
  pg::identity_store identities_;
  pg::key_lock locks_;
  pg::row_writer writer_;
  pg::pending_columns pending_;
};

}  // namespace ks::engine
