#include "daemon/engine/inbound/record_writer.hpp"

#include "common/log_line.hpp"
#include "connectors/postgres/daemon_write.hpp"

#include <pqxx/pqxx>

namespace ks::engine {

namespace {

std::optional<known_identity> known(const std::optional<pg::identity>& i) {
  if (!i) return std::nullopt;
  return known_identity{i->key, i->entity_id, i->synced_values, i->kizen_updated};
}

// How Kizen's values compare with the row's.
pg::column_kinds comparison_kinds(const object_binding& object) {
  pg::column_kinds kinds;
  for (const auto& f : object.fields) {
    if (!f.receives()) continue;
    if (is_multi_value(f.kind)) kinds.sets.push_back(f.mapping->column);
    if (f.kind == value_kind::boolean) kinds.flags.push_back(f.mapping->column);
  }
  return kinds;
}

}  // namespace

record_writer::record_writer(const std::string& schema, std::shared_ptr<spdlog::logger> logger,
                             record_writer_settings settings)
    : logger_(std::move(logger)),
      settings_(settings),
      identities_(schema),
      cursors_(schema),
      locks_(schema),
      pending_(schema) {}

match_answer record_writer::answer(pqxx::transaction_base& tx, const object_binding& object, const record_match& match,
                                   const match_question& q, const pg::column_kinds& kinds) const {
  const auto& table = object.table;
  const auto& name = object.mapping->object;
  match_answer a;
  switch (q.what) {
    case match_question::kind::identity_of_record:
      a.identity = known(identities_.find_by_entity(tx, name, match.entity_id()));
      break;
    case match_question::kind::row_exists: a.exists = table_rows_.exists(tx, table, q.key); break;
    case match_question::kind::key_by_entity_column:
      a.key = table_rows_.key_by_entity_column(tx, table, match.entity_id());
      break;
    case match_question::kind::key_by_lookup: a.key = table_rows_.key_by_lookup(tx, table, q.value); break;
    case match_question::kind::lock_key:
      locks_.hold_for_transaction(tx, {name, q.key});
      a.identity = known(identities_.find(tx, name, q.key));
      break;
    case match_question::kind::queued_columns: a.queued = pending_.of_key(tx, name, q.key); break;
    case match_question::kind::changed_in_kizen:
      a.changed =
          writer_.differing(tx, table, match.values(), match.identity_of_key()->synced_values, q.columns, kinds);
      break;
    case match_question::kind::done: break;
  }
  return a;
}

inbound_stats record_writer::write(pqxx::connection& conn, const object_binding& object,
                                   const std::vector<kizen::record>& records,
                                   const std::vector<translated_record>& translated,
                                   const std::optional<std::pair<kizen::timestamp, std::string>>& cursor_to) const {
  const auto& m = *object.mapping;
  const auto kinds = comparison_kinds(object);
  inbound_stats stats;
  pqxx::work tx(conn);
  pg::daemon_write(tx);  // the capture trigger ignores these writes
  // Bound the wait for a key an outbound request holds.
  tx.exec0("SET LOCAL lock_timeout = " + std::to_string(settings_.lock_timeout.count()));

  for (std::size_t i = 0; i < records.size(); ++i) {
    const auto& rec = records[i];
    ++stats.seen;
    auto fail = [&](const std::string& why) {
      ++stats.failed;
      stats.errors.push_back(m.object + " record " + rec.id + ": " + why);
      logger_->error(
          log_line("Kizen record not applied", {{"object", m.object}, {"entity_id", rec.id}, {"error", why}}));
    };
    try {
      pqxx::subtransaction record_tx(tx, "record");
      record_match match(object, rec, translated[i], std::chrono::system_clock::now());
      for (auto q = match.start(); q.what != match_question::kind::done;)
        q = match.resume(answer(record_tx, object, match, q, kinds));
      const auto& action = match.action();
      for (const auto& d : action.decisions)
        logger_->info(log_line("conflict resolved", {{"object", m.object},
                                                     {"key", action.key.value_or("")},
                                                     {"entity_id", match.entity_id()},
                                                     {"decision", d}}));
      if (action.what == record_action::kind::fail) {
        fail(action.reason);
        continue;  // the subtransaction rolls back
      }
      if (action.what == record_action::kind::unchanged) {
        ++stats.unchanged;
        record_tx.commit();
        continue;
      }
      bool written = true;
      std::string key;
      if (action.what == record_action::kind::update) {
        key = *action.key;
        written =
            writer_.update(record_tx, object.table, key, match.values(), action.columns, match.entity_id(), kinds);
      } else {
        key = writer_.insert(record_tx, object.table, action.key, match.values(), action.columns, match.entity_id());
      }
      pending_.drop(record_tx, m.object, key, action.drop_pending);
      auto saved = identities_.save(record_tx, m.object, key, match.entity_id(), action.synced_values, rec.updated);
      if (!saved) {
        fail(saved.error().message);
        continue;
      }
      record_tx.commit();
      if (written)
        ++stats.written;
      else
        ++stats.unchanged;
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

}  // namespace ks::engine
