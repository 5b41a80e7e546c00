#include "daemon/engine/inbound/inbound_worker.hpp"

#include "common/log_line.hpp"
#include "common/uuid_text.hpp"
#include "connectors/postgres/daemon_write.hpp"
#include "daemon/engine/inbound/conflict_resolution.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <pqxx/pqxx>
#include <set>

namespace ks::engine {

namespace net = boost::asio;
namespace json = boost::json;
using clock = std::chrono::steady_clock;

inbound_stats& inbound_stats::operator+=(const inbound_stats& o) {
  seen += o.seen;
  written += o.written;
  unchanged += o.unchanged;
  failed += o.failed;
  archived += o.archived;
  errors.insert(errors.end(), o.errors.begin(), o.errors.end());
  return *this;
}

namespace {

using entity_keys = std::map<std::pair<std::string, std::string>, std::string>;  // (object, entity) → key

bool pulls(const config::object_mapping& m) { return m.direction != config::sync_direction::to_kizen; }

std::vector<std::string> columns_of(const json::object& values) {
  std::vector<std::string> out;
  for (const auto& kv : values) out.emplace_back(kv.key());
  return out;
}

}  // namespace

inbound_puller::inbound_puller(net::any_io_executor executor, const config::config& cfg,
                               const object_bindings& bindings, kizen::client& client, pg::db_pool& work_pool,
                               service::metrics& metrics, std::shared_ptr<spdlog::logger> logger,
                               inbound_settings settings)
    : executor_(executor),
      cfg_(cfg),
      bindings_(bindings),
      client_(client),
      work_pool_(work_pool),
      metrics_(metrics),
      logger_(std::move(logger)),
      settings_(settings),
      identities_(cfg.postgres.schema),
      cursors_(cfg.postgres.schema),
      locks_(cfg.postgres.schema),
      pending_(cfg.postgres.schema),
      finished_(executor) {
  metrics_.describe("kizen_sync_records_pulled_total", metrics_sink::kind::counter,
                    "Kizen records written to the tables.");
  metrics_.describe("kizen_sync_pull_failures_total", metrics_sink::kind::counter,
                    "Kizen records or pulls that failed.");
  metrics_.describe("kizen_sync_last_pull_timestamp_seconds", metrics_sink::kind::gauge,
                    "Unix time of the last successful pull, per object.");
}

kizen::search_query inbound_puller::base_query(const object_binding& object, std::string ordering) const {
  kizen::search_query q;
  for (const auto& f : object.fields)
    if (f.receives()) q.field_names.push_back(f.field.name);
  if (object.key_field) q.field_names.push_back(object.key_field->name);
  q.ordering = std::move(ordering);
  q.page_size = settings_.page_size;
  return q;
}

void inbound_puller::stop() {
  stopping_ = true;
  for (auto& t : timers_) t->cancel();
}

net::awaitable<void> inbound_puller::run() {
  for (const auto& [name, binding] : bindings_) {
    if (!pulls(*binding.mapping)) continue;
    ++loops_running_;
    net::co_spawn(executor_, loop(binding), [this](std::exception_ptr) {
      --loops_running_;
      finished_.cancel();
    });
  }
  while (loops_running_ > 0) {
    finished_.expires_at(clock::time_point::max());
    co_await finished_.async_wait(net::as_tuple(net::use_awaitable));
  }
}

net::awaitable<void> inbound_puller::loop(const object_binding& object) {
  const auto& m = *object.mapping;
  timers_.push_back(std::make_unique<net::steady_timer>(executor_));
  auto& timer = *timers_.back();
  auto last_reconcile = clock::now();
  logger_->info(log_line("inbound sync started", {{"object", m.object},
                                                  {"pull_interval_ms", static_cast<std::int64_t>(m.pull_interval.count())}}));
  while (!stopping_) {
    try {
      const auto stats = co_await pull(object);
      if (stats.written > 0 || stats.failed > 0)
        logger_->info(log_line("pulled", {{"object", m.object}, {"records", stats.seen}, {"written", stats.written},
                                          {"failed", stats.failed}}));
      if (clock::now() - last_reconcile >= m.reconcile_interval && !stopping_) {
        last_reconcile = clock::now();
        const auto r = co_await reconcile(object);
        logger_->info(log_line("reconciled", {{"object", m.object}, {"records", r.seen}, {"written", r.written},
                                              {"archived", r.archived}, {"failed", r.failed}}));
      }
    } catch (const std::exception& e) {
      logger_->error(log_line("pull failed; retrying at the next interval", {{"object", m.object}, {"error", e.what()}}));
      metrics_.add("kizen_sync_pull_failures_total", {{"object", m.object}}, 1);
    }
    if (stopping_) break;
    timer.expires_after(m.pull_interval);
    co_await timer.async_wait(net::as_tuple(net::use_awaitable));
  }
}

net::awaitable<inbound_stats> inbound_puller::pull(const object_binding& object) {
  const auto& m = *object.mapping;
  const auto cursor = co_await work_pool_.run([&](pqxx::connection& conn) {
    pqxx::read_transaction tx(conn);
    return cursors_.get(tx, m.object);
  });
  auto query = base_query(object, "updated");
  if (cursor.updated) {
    const auto from = *cursor.updated - std::chrono::duration_cast<std::chrono::microseconds>(settings_.overlap);
    query.groups.push_back({true, {kizen::search_filter::builtin("updated", ">=", json::value(kizen::format_timestamp(from)))}});
  }
  inbound_stats total;
  auto page = co_await client_.search_records(m.object, query);
  std::string error;
  for (;;) {
    if (!page) {
      error = page.error().message;
      break;
    }
    std::optional<std::pair<kizen::timestamp, std::string>> last;
    for (const auto& r : page->results)
      if (r.updated && (!last || std::pair{*r.updated, r.id} > *last)) last = std::pair{*r.updated, r.id};
    total += co_await apply_records(object, page->results, last);
    if (!page->next || stopping_) break;
    page = co_await client_.search_next(*page->next, query);
  }
  const std::optional<std::string> pull_error =
      !error.empty() ? std::optional<std::string>(error)
                     : (total.failed > 0 ? std::optional<std::string>(std::to_string(total.failed) +
                                                                      " record(s) could not be applied: " +
                                                                      total.errors.front())
                                         : std::nullopt);
  co_await work_pool_.run([&](pqxx::connection& conn) {
    pqxx::work tx(conn);
    cursors_.record_pull(tx, m.object, pull_error, total.written);
    tx.commit();
  });
  if (!error.empty()) throw std::runtime_error("search " + m.object + ": " + error);
  metrics_.set("kizen_sync_last_pull_timestamp_seconds", {{"object", m.object}},
               std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count());
  co_return total;
}

net::awaitable<std::optional<std::vector<std::string>>> inbound_puller::full_list(const std::string& entity_id,
                                                                                 const std::string& field_id) {
  std::vector<std::string> ids;
  for (int page = 1;; ++page) {
    auto r = co_await client_.field_values(entity_id, field_id, page, {}, 100);
    if (!r) {
      logger_->warn(log_line("cannot read a summarized relationship in full",
                             {{"entity_id", entity_id}, {"field_id", field_id}, {"error", r.error().message}}));
      co_return std::nullopt;
    }
    for (const auto& v : r->results) ids.push_back(ks::normalize_uuid(v.id));
    if (!r->next || r->results.empty()) co_return ids;
  }
}

net::awaitable<inbound_stats> inbound_puller::apply_records(
    const object_binding& object, const std::vector<kizen::record>& records,
    std::optional<std::pair<kizen::timestamp, std::string>> cursor_to, int depth) {
  // 1. Relationships with more values than Kizen returns inline: fetch them in full.
  std::vector<full_lists> lists(records.size());
  std::vector<bool> unreadable(records.size(), false);
  for (std::size_t i = 0; i < records.size(); ++i) {
    for (const auto* f : summarized_fields(object, records[i])) {
      auto ids = co_await full_list(records[i].id, f->field.id);
      if (!ids) unreadable[i] = true;
      else lists[i][f->field.id] = std::move(*ids);
    }
  }

  // 2. Referenced records: their rows' keys from the identity map; unknown ones pulled first.
  std::vector<record_reference> refs;
  for (std::size_t i = 0; i < records.size(); ++i)
    for (auto& r : references_of(object, records[i], lists[i]))
      if (std::find(refs.begin(), refs.end(), r) == refs.end()) refs.push_back(std::move(r));
  auto lookup_keys = [&]() -> net::awaitable<entity_keys> {
    co_return co_await work_pool_.run([&](pqxx::connection& conn) {
      pqxx::read_transaction tx(conn);
      entity_keys keys;
      for (const auto& r : refs)
        if (auto id = identities_.find_by_entity(tx, r.object, r.entity_id)) keys[{r.object, r.entity_id}] = id->key;
      return keys;
    });
  };
  entity_keys keys;
  if (!refs.empty()) keys = co_await lookup_keys();
  if (!refs.empty() && depth < settings_.reference_depth) {
    bool pulled = false;
    for (const auto& r : refs) {
      if (keys.count({r.object, r.entity_id})) continue;
      const auto it = bindings_.find(r.object);
      if (it == bindings_.end() || !pulls(*it->second.mapping)) continue;
      auto rec = co_await client_.get_record(r.object, r.entity_id, base_query(it->second, "").field_names);
      if (!rec) continue;  // archived or unreachable: the reference stays unresolved (reported)
      // Named, not a braced temporary: GCC 12 rejects initializer lists inside co_await operands.
      const std::vector<kizen::record> one{std::move(*rec)};
      co_await apply_records(it->second, one, std::nullopt, depth + 1);
      pulled = true;
    }
    if (pulled) keys = co_await lookup_keys();
  }

  // 3. Translate and write.
  const entity_lookup lookup = [&keys](const record_reference& r) -> std::optional<std::string> {
    const auto it = keys.find({r.object, r.entity_id});
    if (it == keys.end()) return std::nullopt;
    return it->second;
  };
  std::vector<translated_record> translated;
  translated.reserve(records.size());
  for (std::size_t i = 0; i < records.size(); ++i) {
    translated.push_back(translate_record(object, records[i], lookup, lists[i]));
    if (unreadable[i]) translated.back().problems.push_back("a summarized relationship could not be read in full");
    for (const auto& r : translated.back().unresolved)
      logger_->warn(log_line("reference to a record with no row; the column stays empty",
                             {{"object", object.mapping->object}, {"entity_id", records[i].id},
                              {"references", r.object}, {"referenced_id", r.entity_id}}));
  }
  auto stats = co_await work_pool_.run(
      [&](pqxx::connection& conn) { return write_records(conn, object, records, translated, cursor_to); });
  metrics_.add("kizen_sync_records_pulled_total", {{"object", object.mapping->object}}, static_cast<double>(stats.written));
  if (stats.failed > 0)
    metrics_.add("kizen_sync_pull_failures_total", {{"object", object.mapping->object}}, static_cast<double>(stats.failed));
  co_return stats;
}

inbound_stats inbound_puller::write_records(pqxx::connection& conn, const object_binding& object,
                                          const std::vector<kizen::record>& records,
                                          const std::vector<translated_record>& translated,
                                          const std::optional<std::pair<kizen::timestamp, std::string>>& cursor_to) {
  const auto& m = *object.mapping;
  inbound_stats stats;
  pqxx::work tx(conn);
  pg::daemon_write(tx);  // the capture trigger ignores these writes
  tx.exec0("SET LOCAL lock_timeout = '60s'");        // bound the wait for an in-flight outbound request
  const bool can_insert = m.entity_id_column.has_value() || object.key_field.has_value();
  pg::column_kinds kinds;  // how Kizen's values compare with the row's
  for (const auto& f : object.fields) {
    if (!f.receives()) continue;
    if (is_multi_value(f.kind)) kinds.sets.push_back(f.mapping->column);
    if (f.kind == value_kind::boolean) kinds.flags.push_back(f.mapping->column);
  }

  for (std::size_t i = 0; i < records.size(); ++i) {
    const auto& rec = records[i];
    translated_record t = translated[i];  // a copy: keep_synced_instants may adjust it
    ++stats.seen;
    auto fail = [&](const std::string& why) {
      ++stats.failed;
      const std::string message = m.object + " record " + rec.id + ": " + why;
      stats.errors.push_back(message);
      logger_->error(log_line("Kizen record not applied", {{"object", m.object}, {"entity_id", rec.id}, {"error", why}}));
    };
    if (!t.problems.empty()) {
      std::string all;
      for (const auto& p : t.problems) all += (all.empty() ? "" : "; ") + p;
      fail(all);
      continue;
    }
    const std::string entity = ks::normalize_uuid(rec.id);
    try {
      pqxx::subtransaction record_tx(tx, "record");
      // Older than the version we know: nothing in it is news. The version itself is not
      // skipped: our own write comes back with it, but so does whatever a Kizen user changed
      // in other fields just before (the write's response only echoes the fields it sent),
      // and two versions can share one `updated`. Applying it is a no-op where Kizen holds
      // what was last synced (no row write, no conflict), so an echo costs nothing.
      const auto superseded = [&](const std::optional<pg::identity>& i) {
        return i && i->entity_id == entity && i->kizen_updated && rec.updated && *rec.updated < *i->kizen_updated;
      };
      // This very version, already applied: every value is the one last synced (the overlap
      // window re-reads each record several times; this keeps the re-reads cheap).
      const auto applied = [&](const std::optional<pg::identity>& i) {
        if (!i || i->entity_id != entity || !i->kizen_updated || !rec.updated || *rec.updated != *i->kizen_updated)
          return false;
        for (const auto& kv : t.values) {
          const auto* synced = i->synced_values.if_contains(kv.key());
          if (!synced || *synced != kv.value()) return false;
        }
        return true;
      };
      const auto mapped = identities_.find_by_entity(record_tx, m.object, entity);
      if (mapped && mapped->entity_id == entity) keep_synced_instants(object, t, mapped->synced_values);
      if (superseded(mapped) || applied(mapped)) {
        ++stats.unchanged;
        record_tx.commit();
        continue;
      }
      // Which row mirrors the record.
      std::optional<std::string> key = mapped ? std::optional<std::string>(mapped->key) : std::nullopt;
      if (!key && t.key && reader_.exists(record_tx, object.table, *t.key)) key = t.key;
      if (!key) key = reader_.key_by_entity_column(record_tx, object.table, entity);
      if (!key && m.lookup) {
        const auto it = t.values.find(*m.lookup);
        if (it != t.values.end() && it->value().is_string())
          key = reader_.key_by_lookup(record_tx, object.table, std::string(it->value().get_string()));
      }
      std::optional<pg::identity> identity;
      if (key) {
        locks_.hold_for_transaction(record_tx, {m.object, *key});
        // Read again under the lock: an outbound request for the key may have finished while we
        // waited, storing the version this record came back with (an echo), or a new identity.
        identity = identities_.find(record_tx, m.object, *key);
        if (identity && identity->entity_id != entity) {
          if (mapped) {
            fail("its row (key " + *key + ") was mapped to Kizen record " + identity->entity_id + " meanwhile");
            continue;
          }
          key.reset();  // the row found by key_field, entity id or lookup belongs to another record
          identity.reset();
        }
        if (superseded(identity)) {
          ++stats.unchanged;
          record_tx.commit();
          continue;
        }
      }
      const bool exists = key && reader_.exists(record_tx, object.table, *key);
      if ((mapped || identity) && !exists) {
        ++stats.unchanged;  // deleted here; the queued delete archives it in Kizen
        record_tx.commit();
        continue;
      }

      // Conflicts with queued outbound changes, field by field. A queued column whose Kizen value
      // is still the one last synced was changed here only: no conflict.
      const auto received = columns_of(t.values);
      std::map<std::string, wall_time> queued;
      if (key) queued = pending_.of_key(record_tx, m.object, *key);
      std::vector<std::string> unchanged_in_kizen;
      if (identity && !queued.empty()) {
        std::vector<std::string> contested;
        for (const auto& c : received)
          if (queued.count(c) && identity->synced_values.contains(c)) contested.push_back(c);
        const auto changed = rows_.differing(record_tx, object.table, t.values, identity->synced_values, contested, kinds);
        for (const auto& c : contested)
          if (std::find(changed.begin(), changed.end(), c) == changed.end()) unchanged_in_kizen.push_back(c);
      }
      const auto kizen_time = rec.updated ? wall_time(std::chrono::duration_cast<wall_time::duration>(rec.updated->time_since_epoch()))
                                          : std::chrono::system_clock::now();
      const auto decision = resolve_conflicts(m.conflict, received, queued, kizen_time, unchanged_in_kizen);
      for (const auto& d : decision.decisions)
        logger_->info(log_line("conflict resolved", {{"object", m.object}, {"key", key.value_or("")},
                                                     {"entity_id", entity}, {"decision", d}}));

      bool written = false;
      if (exists) {
        written = rows_.update(record_tx, object.table, *key, t.values, decision.write, entity, kinds);
      } else if (t.key || m.entity_id_column) {
        key = rows_.insert(record_tx, object.table, t.key, t.values, decision.write, entity);
        written = true;
      } else if (!can_insert) {
        fail("no row mirrors it and the mapping has neither key_field nor entity_id_column to create one");
        continue;
      } else {
        fail("no row mirrors it and it has no value in key_field '" + object.key_field->name + "'");
        continue;
      }
      pending_.drop(record_tx, m.object, *key, decision.drop_pending);

      json::object synced = identity ? identity->synced_values : json::object{};
      for (const auto& c : decision.write) synced[c] = t.values.at(c);
      auto saved = identities_.save(record_tx, m.object, *key, entity, synced, rec.updated);
      if (!saved) {
        fail(saved.error().message);
        continue;  // the subtransaction rolls back
      }
      record_tx.commit();
      if (written) ++stats.written;
      else ++stats.unchanged;
    } catch (const pqxx::sql_error& e) {
      fail(e.what());
    }
  }
  if (cursor_to) {
    if (auto moved = cursors_.advance(tx, m.object, cursor_to->first, cursor_to->second); !moved)
      logger_->error(log_line("pull cursor not advanced", {{"object", m.object}, {"error", moved.error()}}));
  }
  tx.commit();
  return stats;
}

net::awaitable<inbound_stats> inbound_puller::reconcile(const object_binding& object) {
  const auto& m = *object.mapping;
  inbound_stats total;
  std::set<std::string> seen;
  // A walk in creation order: updates do not move records in it.
  auto query = base_query(object, "created");
  auto page = co_await client_.search_records(m.object, query);
  for (;;) {
    if (!page) throw std::runtime_error("reconcile walk of " + m.object + ": " + page.error().message);
    std::vector<std::string> ids;
    for (const auto& r : page->results) {
      seen.insert(ks::normalize_uuid(r.id));
      ids.push_back(ks::normalize_uuid(r.id));
    }
    // Only records the identity map does not know at this version need writing.
    const auto known = co_await work_pool_.run([&](pqxx::connection& conn) {
      pqxx::read_transaction tx(conn);
      std::map<std::string, std::optional<kizen::timestamp>> out;
      for (const auto& id : ids)
        if (auto i = identities_.find_by_entity(tx, m.object, id)) out[id] = i->kizen_updated;
      return out;
    });
    std::vector<kizen::record> missed;
    for (const auto& r : page->results) {
      const auto it = known.find(ks::normalize_uuid(r.id));
      if (it == known.end() || !it->second || (r.updated && *r.updated > *it->second)) missed.push_back(r);
    }
    if (!missed.empty()) total += co_await apply_records(object, missed, std::nullopt);
    total.seen += static_cast<std::int64_t>(page->results.size()) - static_cast<std::int64_t>(missed.size());
    if (!page->next || stopping_) break;
    page = co_await client_.search_next(*page->next, query);
  }
  if (stopping_) co_return total;
  // Mapped records the walk did not meet: archived (404), or hidden by a concurrent reordering.
  const auto entries = co_await work_pool_.run([&](pqxx::connection& conn) {
    pqxx::read_transaction tx(conn);
    return identities_.entries(tx, m.object);
  });
  for (const auto& [key, entity] : entries) {
    if (seen.count(entity) || stopping_) continue;
    total += co_await handle_missing(object, key, entity);
  }
  co_return total;
}

net::awaitable<inbound_stats> inbound_puller::handle_missing(const object_binding& object, const std::string& key,
                                                           const std::string& entity_id) {
  const auto& m = *object.mapping;
  auto rec = co_await client_.get_record(m.object, entity_id, base_query(object, "").field_names);
  if (rec) {
    const std::vector<kizen::record> one{std::move(*rec)};
    co_return co_await apply_records(object, one, std::nullopt);
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
  const bool deleted = co_await work_pool_.run([&](pqxx::connection& conn) {
    try {
      pqxx::work tx(conn);
      pg::daemon_write(tx);
      tx.exec0("SET LOCAL lock_timeout = '60s'");
      locks_.hold_for_transaction(tx, {m.object, key});
      bool removed = false;
      if (m.on_archive == config::archive_policy::delete_row) {
        removed = rows_.remove(tx, object.table, key);
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
    logger_->error(log_line("row of a record archived in Kizen not removed",
                            {{"object", m.object}, {"key", key}, {"entity_id", entity_id}, {"error", failure}}));
    co_return s;
  }
  logger_->info(log_line("record archived in Kizen", {{"object", m.object}, {"key", key}, {"entity_id", entity_id},
                                                      {"on_archive", config::to_string(m.on_archive)},
                                                      {"row_deleted", deleted}}));
  if (deleted) s.written = 1;
  co_return s;
}

}  // namespace ks::engine
