#include "daemon/engine/inbound/reconcile_walk.hpp"

#include "common/log_line.hpp"
#include "common/uuid_text.hpp"
#include "connectors/postgres/daemon_write.hpp"
#include "daemon/engine/inbound/record_query.hpp"

#include <map>
#include <pqxx/pqxx>
#include <set>

namespace ks::engine {

namespace net = boost::asio;

reconcile_walk::reconcile_walk(inbound_context context, record_applier& records)
    : ctx_(std::move(context)),
      records_(records),
      identities_(ctx_.schema),
      locks_(ctx_.schema),
      pending_(ctx_.schema) {}

net::awaitable<inbound_stats> reconcile_walk::run(const object_binding& object, std::stop_token stop) {
  const auto& m = *object.mapping;
  inbound_stats total;
  std::set<std::string> seen;
  // A walk in creation order: updates do not move records in it.
  auto query = records_query(object, "created", records_.settings().page_size);
  auto page = co_await ctx_.client.search_records(m.object, query);
  for (;;) {
    if (!page) throw std::runtime_error("reconcile walk of " + m.object + ": " + page.error().message);
    std::vector<std::string> ids;
    for (const auto& r : page->results) {
      seen.insert(normalize_uuid(r.id));
      ids.push_back(normalize_uuid(r.id));
    }
    // Only records the identity map does not know at this version need writing.
    const auto known = co_await ctx_.pool.run([&](pqxx::connection& conn) {
      pqxx::read_transaction tx(conn);
      std::map<std::string, std::optional<kizen::timestamp>> out;
      for (const auto& id : ids)
        if (auto i = identities_.find_by_entity(tx, m.object, id)) out[id] = i->kizen_updated;
      return out;
    });
    std::vector<kizen::record> missed;
    for (const auto& r : page->results) {
      const auto it = known.find(normalize_uuid(r.id));
      if (it == known.end() || !it->second || (r.updated && *r.updated > *it->second)) missed.push_back(r);
    }
    if (!missed.empty()) total += co_await records_.apply(object, missed, std::nullopt);
    total.seen += static_cast<std::int64_t>(page->results.size()) - static_cast<std::int64_t>(missed.size());
    if (!page->next || stop.stop_requested()) break;
    page = co_await ctx_.client.search_next(*page->next, query);
  }
  if (stop.stop_requested()) co_return total;
  // Mapped records the walk did not meet: archived (404), or hidden by a concurrent reordering.
  const auto entries = co_await ctx_.pool.run([&](pqxx::connection& conn) {
    pqxx::read_transaction tx(conn);
    return identities_.entries(tx, m.object);
  });
  for (const auto& [key, entity] : entries) {
    if (seen.count(entity) || stop.stop_requested()) continue;
    total += co_await handle_missing(object, key, entity);
  }
  co_return total;
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
      locks_.hold_for_transaction(tx, {m.object, key});
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
