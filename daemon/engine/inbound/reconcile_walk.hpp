#pragma once
// The periodic full walk of one object (reconcile_interval): records the incremental pull missed
// are applied, and mapped records the walk no longer meets are looked up one by one; those that
// are gone (404: archived in Kizen) are handled per on_archive (the row deleted, or left alone),
// and their identity dropped.
//
// It streams: keyset pages in `created` order (keyset_walk), each identity met marked in the
// identity map, the place saved after every page (reconcile_progress), then the unmet identities
// read from PostgreSQL a page at a time. Memory stays at a page whatever the object's size; a
// restart goes on where the walk stopped; the pull loop runs it in slices between pulls.

#include "connectors/kizen/client.hpp"
#include "connectors/postgres/db_pool.hpp"
#include "connectors/postgres/identity_store.hpp"
#include "connectors/postgres/key_lease.hpp"
#include "connectors/postgres/pending_columns.hpp"
#include "connectors/postgres/reconcile_store.hpp"
#include "connectors/postgres/row_reader.hpp"
#include "connectors/postgres/row_writer.hpp"
#include "daemon/engine/inbound/inbound_context.hpp"
#include "daemon/engine/inbound/inbound_stats.hpp"
#include "daemon/engine/inbound/keyset_walk.hpp"
#include "daemon/engine/inbound/record_applier.hpp"

#include <spdlog/logger.h>
#include <boost/asio/awaitable.hpp>
#include <map>
#include <memory>
#include <stop_token>
#include <string>

namespace ks::engine {

class reconcile_walk {
 public:
  reconcile_walk(inbound_context context, record_applier& records);

  struct slice {
    inbound_stats stats;
    bool finished = false;  // the walk ended (the next slice starts a new one)
  };
  // At most `pages` pages of the walk under way, or of a new one if none is.
  boost::asio::awaitable<slice> step(const object_binding& object, std::stop_token stop, int pages);
  // A walk of `object` is under way (saved by an earlier slice, maybe before a restart).
  boost::asio::awaitable<bool> under_way(const object_binding& object);
  // A whole walk (the one under way, or a new one); stops early when `stop` is requested.
  boost::asio::awaitable<inbound_stats> run(const object_binding& object, std::stop_token stop);

 private:
  boost::asio::awaitable<inbound_stats> walk_page(const object_binding& object, pg::reconcile_progress& p);
  boost::asio::awaitable<bool> unmet_page(const object_binding& object, pg::reconcile_progress& p,
                                          inbound_stats& stats);
  // A mapped record the walk did not meet: re-read it, or handle it as archived.
  boost::asio::awaitable<inbound_stats> handle_missing(const object_binding& object, const std::string& key,
                                                       const std::string& entity_id);

  inbound_context ctx_;
  record_applier& records_;
  pg::identity_store identities_;
  pg::key_lease leases_;
  pg::row_reader rows_;
  pg::row_writer writer_;
  pg::pending_columns pending_;
  pg::reconcile_store progress_;
  std::map<std::string, keyset_walk> walks_;  // per object, the walk under way in this process
  // Per object, pages in a row that moved the walk on not at all (see step()).
  static constexpr int max_stalled_pages = 16;
  std::map<std::string, int> stalled_pages_;
};

}  // namespace ks::engine
