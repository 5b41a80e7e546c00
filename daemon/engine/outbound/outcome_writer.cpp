#include "daemon/engine/outbound/outcome_writer.hpp"

#include "connectors/postgres/capture_trigger.hpp"
#include "connectors/postgres/daemon_write.hpp"

#include <pqxx/transaction>

namespace ks::engine {

outcome_writer::outcome_writer(const std::string& schema, const object_bindings& bindings, outcome_settings settings)
    : bindings_(bindings),
      outbox_(schema),
      identities_(schema),
      references_(schema, bindings),
      retry_(settings.retry),
      random_(kizen::make_unit_random()),
      waits_(settings.waits) {}

void outcome_writer::note_attempt(pqxx::connection& conn, const std::vector<std::int64_t>& ids) const {
  pqxx::work tx(conn);
  outbox_.note_attempt(tx, ids);
  tx.commit();
}

outbound_decision outcome_writer::record(pqxx::connection& conn, const claimed_key& claimed,
                                         const merged_change& change, const outbound_outcome& outcome) {
  const auto& key = claimed.key;
  std::optional<boost::json::object> synced_before;
  if (claimed.identity) synced_before = claimed.identity->synced_values;
  const outcome_context context{bindings_.at(key.object), change, synced_before, retry_, random_, waits_};

  pqxx::work tx(conn);
  // The entity id write-back is the daemon's own write: the capture trigger must skip it.
  pg::daemon_write(tx);
  std::vector<referenced_row> rows;
  if (outcome.what == outbound_outcome::kind::wait) rows = references_.rows(tx, outcome.waiting_for);
  auto d = decide_outcome(outcome, context, rows);

  if (d.forget_identity) identities_.remove(tx, key.object, key.key);
  for (const auto& ref : d.bring_first) {
    // Never synced (e.g. it predates `migrate`): bring it to Kizen first.
    const auto& table = bindings_.at(ref.object).table;
    if (auto image = table_rows_.image(tx, table, ref.key))
      outbox_.enqueue(tx, ref.object, ref.key, pg::change_op::insert, pg::captured_columns(table), *image);
  }
  switch (d.what) {
    case outbound_decision::kind::done: record_done(tx, claimed, change, outcome, d); break;
    case outbound_decision::kind::retry:
      outbox_.schedule_retry(tx, change.ids, d.attempts, d.delay, d.message, d.http_status);
      break;
    case outbound_decision::kind::wait: outbox_.defer(tx, change.ids, d.delay, d.message); break;
    case outbound_decision::kind::dead: outbox_.mark_dead(tx, change.ids, d.attempts, d.message, d.http_status); break;
  }
  tx.commit();
  return d;
}

void outcome_writer::record_done(pqxx::transaction_base& tx, const claimed_key& claimed, const merged_change& change,
                                 const outbound_outcome& outcome, outbound_decision& d) const {
  const auto& key = claimed.key;
  std::optional<pg::timestamp> updated;
  if (outcome.kizen_updated) updated = std::chrono::time_point_cast<std::chrono::microseconds>(*outcome.kizen_updated);
  if (d.save_identity) {
    const auto& table = bindings_.at(key.object).table;
    auto saved = identities_.save(tx, key.object, key.key, *outcome.entity_id, d.synced_values, updated);
    if (!saved) {
      // E.g. two rows with the same lookup value: Kizen holds one record for both.
      d.what = outbound_decision::kind::dead;
      d.message = saved.error().message;
      d.http_status.reset();
      outbox_.mark_dead(tx, change.ids, d.attempts, d.message, d.http_status);
      return;
    }
    writer_.write_entity_id(tx, table, key.key, *outcome.entity_id);
    if (!d.follow_up_columns.empty()) {
      // The create went out without references that had no Kizen id yet; send them later, with
      // the row's values as they are then.
      if (auto image = table_rows_.image(tx, table, key.key))
        outbox_.enqueue(tx, key.object, key.key, pg::change_op::update, d.follow_up_columns, *image);
    }
  }
  outbox_.mark_done(tx, change.ids, outcome.entity_id, updated);
}

}  // namespace ks::engine
