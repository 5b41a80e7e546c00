#include "daemon/engine/inbound/reconcile_walk.hpp"

#include "common/log_line.hpp"
#include "common/uuid_text.hpp"
#include "connectors/postgres/daemon_write.hpp"
#include "daemon/engine/inbound/record_query.hpp"

#include <pqxx/pqxx>
#include <tuple>

namespace ks::engine {

namespace net = boost::asio;

reconcile_walk::reconcile_walk(inbound_context context, record_applier& records)
    : ctx_(std::move(context)),
      records_(records),
      identities_(ctx_.schema),
      leases_(ctx_.schema),
      pending_(ctx_.schema),
      progress_(ctx_.schema) {}

net::awaitable<bool> reconcile_walk::under_way(const object_binding& object) {
  co_return co_await ctx_.pool.run([&](pqxx::connection& conn) {
    pqxx::read_transaction tx(conn);
    return progress_.get(tx, object.mapping->object).has_value();
  });
}

net::awaitable<inbound_stats> reconcile_walk::run(const object_binding& object, std::stop_token stop) {
  inbound_stats total;
  for (;;) {
    auto s = co_await step(object, stop, 100);
    total += s.stats;
    if (s.finished || stop.stop_requested()) break;
  }
  co_return total;
}

net::awaitable<reconcile_walk::slice> reconcile_walk::step(const object_binding& object, std::stop_token stop,
                                                           int pages) {
  const auto& m = *object.mapping;
  auto p = co_await ctx_.pool.run([&](pqxx::connection& conn) {
    pqxx::work tx(conn);
    auto under_way = progress_.get(tx, m.object);
    auto progress = under_way ? *under_way : progress_.start(tx, m.object);
    tx.commit();
    return progress;
  });
  slice out;
  for (int i = 0; i < pages && !stop.stop_requested(); ++i) {
    const auto was = std::make_tuple(p.position, p.walking, p.unmet_after, p.records_seen);
    if (p.walking) {
      out.stats += co_await walk_page(object, p);
    } else if (!co_await unmet_page(object, p, out.stats)) {
      co_await ctx_.pool.run([&](pqxx::connection& conn) {
        pqxx::work tx(conn);
        progress_.finish(tx, m.object);
        tx.commit();
      });
      out.finished = true;
      break;
    }
    // Pages move the walk on (records met, a later position, the next unmet keys), all but a
    // few where the keyset walk changes mode or restarts an instant; one standing still for
    // longer would loop for ever: stop it and say where.
    auto& stalled = stalled_pages_[m.object];
    stalled = std::make_tuple(p.position, p.walking, p.unmet_after, p.records_seen) == was ? stalled + 1 : 0;
    if (stalled > max_stalled_pages) {
      stalled_pages_.erase(m.object);
      walks_.erase(m.object);
      throw std::runtime_error("reconcile walk of " + m.object + " made no progress in " +
                               std::to_string(max_stalled_pages) + " pages after " + std::to_string(p.records_seen) +
                               " records (" + (p.walking ? "walk" : "unmet") + " phase)");
    }
  }
  co_return out;
}

// One keyset page in creation order (updates do not move records in it): records the identity map
// does not know at this version are applied, the others only marked met.
net::awaitable<inbound_stats> reconcile_walk::walk_page(const object_binding& object, pg::reconcile_progress& p) {
  const auto& m = *object.mapping;
  const int page_size = records_.settings().page_size;
  auto it = walks_.find(m.object);
  if (it == walks_.end()) it = walks_.emplace(m.object, keyset_walk("created", p.position, {page_size})).first;
  auto& walk = it->second;
  const auto search = walk.next();
  auto query = records_query(object, "created", page_size);
  if (search.filter) query.groups.push_back({true, {*search.filter}});
  auto page = co_await ctx_.client.search_records(m.object, std::move(query),
                                                  search.page > 1 ? std::optional<int>(search.page) : std::nullopt);
  if (!page) {
    walks_.erase(m.object);
    throw std::runtime_error("reconcile walk of " + m.object + ": " + page.error().message);
  }
  const auto fresh = walk.take(*page);
  std::vector<std::string> ids;
  for (const auto& r : fresh) ids.push_back(normalize_uuid(r.id));
  const auto known = co_await ctx_.pool.run([&](pqxx::connection& conn) {
    pqxx::work tx(conn);
    auto k = progress_.meet(tx, p, ids);
    tx.commit();
    return k;
  });
  std::vector<kizen::record> missed;
  for (const auto& r : fresh) {
    const auto k = known.find(normalize_uuid(r.id));
    if (k == known.end() || !k->second || (r.updated && *r.updated > *k->second)) missed.push_back(r);
  }
  inbound_stats s;
  if (!missed.empty()) s = co_await records_.apply(object, missed, std::nullopt);
  s.seen += static_cast<std::int64_t>(fresh.size() - missed.size());
  p.records_seen += static_cast<std::int64_t>(fresh.size());
  p.position = walk.position();
  const auto problem = walk.problem();
  if (walk.done()) {
    walks_.erase(m.object);
    p.walking = !problem.empty();  // a walk that gave up goes on from its place next time
  }
  co_await ctx_.pool.run([&](pqxx::connection& conn) {
    pqxx::work tx(conn);
    progress_.save(tx, p);
    tx.commit();
  });
  if (!problem.empty()) throw std::runtime_error("reconcile walk of " + m.object + ": " + problem);
  co_return s;
}

// A page of the mapped records the walk did not meet: archived (404), or moved past the walk.
// False when none is left.
net::awaitable<bool> reconcile_walk::unmet_page(const object_binding& object, pg::reconcile_progress& p,
                                                inbound_stats& stats) {
  const auto unmet = co_await ctx_.pool.run([&](pqxx::connection& conn) {
    pqxx::read_transaction tx(conn);
    return progress_.unmet(tx, p, records_.settings().page_size);
  });
  if (unmet.empty()) co_return false;
  for (const auto& [key, entity] : unmet) stats += co_await handle_missing(object, key, entity);
  p.unmet_after = unmet.back().first;
  co_await ctx_.pool.run([&](pqxx::connection& conn) {
    pqxx::work tx(conn);
    progress_.save(tx, p);
    tx.commit();
  });
  co_return true;
}

net::awaitable<inbound_stats> reconcile_walk::handle_missing(const object_binding& object, const std::string& key,
                                                             const std::string& entity_id) {
  const auto& m = *object.mapping;
  auto rec = co_await ctx_.client.get_record(m.object, entity_id, records_query(object, "", 1).field_names);
  if (rec) {
    const std::vector<kizen::record> one{std::move(*rec)};
    co_return co_await records_.apply(object, one, std::nullopt);
  }
  if (rec.error().http_status != 404) {
    inbound_stats s;
    s.failed = 1;
    s.errors.push_back("GET " + m.object + "/" + entity_id + ": " + rec.error().message);
    co_return s;
  }
  inbound_stats s;
  s.archived = 1;
  std::string failure;
  const auto lock_timeout = records_.settings().writes.lock_timeout;
  const bool deleted = co_await ctx_.pool.run([&](pqxx::connection& conn) {
    try {
      pqxx::work tx(conn);
      pg::daemon_write(tx);
      tx.exec0("SET LOCAL lock_timeout = " + std::to_string(lock_timeout.count()));
      // The row, then the key's outbox row (the order user transactions take them): a key with a
      // request in flight is left for the next reconcile.
      rows_.lock(tx, object.table, key);
      if (leases_.busy(tx, {m.object, key})) {
        failure = "a change of this row is being sent to Kizen right now; the next reconcile looks again";
        return false;
      }
      bool removed = false;
      if (m.on_archive == config::archive_policy::delete_row) {
        removed = writer_.remove(tx, object.table, key);
        // Queued changes of the row would re-create the record: they are settled by the archive.
        pending_.settle_all(tx, m.object, key, "record archived in Kizen; row deleted");
      }
      identities_.remove(tx, m.object, key);
      tx.commit();
      return removed;
    } catch (const pqxx::sql_error& e) {
      failure = e.what();  // e.g. a foreign key still pointing at the row: this key only
      return false;
    }
  });
  if (!failure.empty()) {
    s.archived = 0;
    s.failed = 1;
    s.errors.push_back(m.object + " key " + key + " (archived in Kizen): " + failure);
    ctx_.logger->error(log_line("row of a record archived in Kizen not removed",
                                {{"object", m.object}, {"key", key}, {"entity_id", entity_id}, {"error", failure}}));
    co_return s;
  }
  ctx_.logger->info(log_line("record archived in Kizen", {{"object", m.object},
                                                          {"key", key},
                                                          {"entity_id", entity_id},
                                                          {"on_archive", config::to_string(m.on_archive)},
                                                          {"row_deleted", deleted}}));
  if (deleted) s.written = 1;
  co_return s;
}

}  // namespace ks::engine
