#include "daemon/engine/inbound/record_writer.hpp"

#include "common/log_line.hpp"
#include "common/uuid_text.hpp"
#include "connectors/postgres/daemon_write.hpp"
#include "connectors/postgres/savepoint.hpp"

#include <pqxx/pqxx>

namespace ks::engine {

namespace {

std::optional<known_identity> known(const std::optional<pg::identity>& i) {
  if (!i) return std::nullopt;
  return known_identity{i->key, i->entity_id, i->synced_values, i->kizen_updated};
}

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
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
      leases_(schema),
      pending_(schema),
      failures_(schema) {}

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
      // The row's lock waits for a user's transaction still open on it, so its change is queued
      // (and seen below) before anything is decided; then the key's outbox row: a live lease means
      // a request for the key may be in flight (the record is tried again shortly), and otherwise
      // its share lock keeps claims off the key until this transaction ends. In this order, the
      // order user transactions take them.
      table_rows_.lock(tx, table, q.key);
      if (leases_.busy(tx, {name, q.key})) throw key_in_flight();
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

record_writer::applied record_writer::apply_one(pqxx::transaction_base& tx, const object_binding& object,
                                                const kizen::record& rec, const translated_record& translated,
                                                const pg::column_kinds& kinds) const {
  const auto& m = *object.mapping;
  pg::savepoint record_sp(tx, "record");  // a record that fails is undone alone
  record_match match(object, rec, translated, std::chrono::system_clock::now());
  for (auto q = match.start(); q.what != match_question::kind::done;)
    q = match.resume(answer(tx, object, match, q, kinds));
  const auto& action = match.action();
  for (const auto& d : action.decisions)
    logger_->info(log_line(
        "conflict resolved",
        {{"object", m.object}, {"key", action.key.value_or("")}, {"entity_id", match.entity_id()}, {"decision", d}}));
  if (action.what == record_action::kind::fail) return {applied::kind::failed, action.reason};
  if (action.what == record_action::kind::unchanged) {
    record_sp.release();
    return {applied::kind::unchanged, {}};
  }
  bool written = true;
  std::string key;
  if (action.what == record_action::kind::update) {
    key = *action.key;
    written = writer_.update(tx, object.table, key, match.values(), action.columns, match.entity_id(), kinds);
  } else {
    key = writer_.insert(tx, object.table, action.key, match.values(), action.columns, match.entity_id());
  }
  if (!action.drop_pending.empty())
    pending_.drop(tx, m.object, key, action.drop_pending,
                  table_rows_.image(tx, object.table, key).value_or(boost::json::object{}));
  auto saved = identities_.save(tx, m.object, key, match.entity_id(), action.synced_values, rec.updated);
  if (!saved) return {applied::kind::failed, saved.error().message};
  record_sp.release();
  return {written ? applied::kind::written : applied::kind::unchanged, {}};
}

inbound_stats record_writer::write(pqxx::connection& conn, const object_binding& object,
                                   const std::vector<kizen::record>& records,
                                   const std::vector<translated_record>& translated,
                                   const std::optional<std::pair<kizen::timestamp, std::string>>& cursor_to) const {
  const auto& m = *object.mapping;
  const auto kinds = comparison_kinds(object);
  inbound_stats stats;
  std::vector<std::string> settled;  // applied (or no news): off the failure list
  pqxx::work tx(conn);
  pg::daemon_write(tx);  // the capture trigger ignores these writes
  // Bound the wait for a key an outbound request holds.
  tx.exec0("SET LOCAL lock_timeout = " + std::to_string(settings_.lock_timeout.count()));

  for (std::size_t i = 0; i < records.size(); ++i) {
    const auto& rec = records[i];
    ++stats.seen;
    applied outcome;
    bool in_flight = false;
    try {
      outcome = apply_one(tx, object, rec, translated[i], kinds);
    } catch (const pqxx::sql_error& e) {
      outcome = {applied::kind::failed, trimmed(e.what())};
    } catch (const key_in_flight& e) {
      outcome = {applied::kind::failed, e.what()};
      in_flight = true;
    }
    switch (outcome.what) {
      case applied::kind::written: ++stats.written; break;
      case applied::kind::unchanged: ++stats.unchanged; break;
      case applied::kind::failed:
        ++stats.failed;
        stats.errors.push_back(m.object + " record " + rec.id + ": " + outcome.reason);
        if (in_flight)  // an ordinary race, settled at the next try
          logger_->info(log_line("Kizen record deferred: a change of its row is being sent to Kizen",
                                 {{"object", m.object}, {"entity_id", rec.id}}));
        else
          logger_->error(log_line("Kizen record not applied; it waits in the inbound failure list",
                                  {{"object", m.object}, {"entity_id", rec.id}, {"error", outcome.reason}}));
        // Kept, never passed over: retried with backoff, shown by status, handled by replay.
        if (is_uuid(rec.id))
          failures_.record(tx, m.object, normalize_uuid(rec.id), rec.updated, outcome.reason, settings_.failure_retry);
        continue;
    }
    if (is_uuid(rec.id)) settled.push_back(normalize_uuid(rec.id));
  }
  failures_.clear(tx, m.object, settled);
  if (cursor_to) {
    if (auto moved = cursors_.advance(tx, m.object, cursor_to->first, cursor_to->second); !moved)
      logger_->error(log_line("pull cursor not advanced", {{"object", m.object}, {"error", moved.error()}}));
  }
  tx.commit();
  return stats;
}

}  // namespace ks::engine
