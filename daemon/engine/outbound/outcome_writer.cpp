#include "daemon/engine/outbound/outcome_writer.hpp"

#include "connectors/postgres/capture_trigger.hpp"
#include "connectors/postgres/daemon_write.hpp"
#include "connectors/postgres/db_error.hpp"
#include "connectors/postgres/savepoint.hpp"

#include <pqxx/transaction>

namespace ks::engine {

outcome_writer::outcome_writer(const std::string& schema, const object_bindings& bindings, outcome_settings settings)
    : bindings_(bindings),
      outbox_(schema),
      identities_(schema),
      leases_(schema),
      references_(schema, bindings),
      retry_(settings.retry),
      random_(kizen::make_unit_random()),
      waits_(settings.waits) {}

void outcome_writer::note_attempt(pqxx::connection& conn, const std::vector<std::int64_t>& ids) const {
  pqxx::work tx(conn);
  outbox_.note_attempt(tx, ids, waits_.search_visibility);
  tx.commit();
}

outbound_decision outcome_writer::record(pqxx::connection& conn, const claimed_key& claimed,
                                         const merged_change& change, const outbound_outcome& outcome) {
  const auto& key = claimed.key;
  std::optional<boost::json::object> synced_before;
  if (claimed.identity) synced_before = claimed.identity->synced_values;
  const outcome_context context{bindings_.at(key.object), change, synced_before, retry_, random_, waits_};

  outbound_decision d;
  if (outcome.identity_moved_to) return record_move(conn, claimed, change, outcome);
  try {
    pqxx::work tx(conn);
    // The entity id write-back is the daemon's own write: the capture trigger must skip it.
    pg::daemon_write(tx);
    // A create writes the row (entity id, follow-ups): its lock comes first.
    const bool writes_row =
        outcome.what == outbound_outcome::kind::applied && outcome.entity_id &&
        (!claimed.identity || claimed.identity->entity_id != *outcome.entity_id || !outcome.follow_up_columns.empty());
    fence(tx, claimed, writes_row);
    std::vector<referenced_row> rows;
    if (outcome.what == outbound_outcome::kind::wait) rows = references_.rows(tx, outcome.waiting_for);
    d = decide_outcome(outcome, context, rows);

    if (d.forget_identity) identities_.remove(tx, key.object, key.key);
    for (const auto& ref : d.bring_first) {
      // Never synced (e.g. it predates `migrate`): bring it to Kizen first.
      const auto& table = bindings_.at(ref.object).table;
      if (auto image = table_rows_.locked_image(tx, table, ref.key))
        outbox_.enqueue(tx, ref.object, ref.key, pg::change_op::insert, pg::captured_columns(table), *image);
    }
    switch (d.what) {
      case outbound_decision::kind::done: record_done(tx, claimed, change, outcome, d); break;
      case outbound_decision::kind::retry:
        outbox_.schedule_retry(tx, change.ids, d.attempts, d.delay, d.message, d.http_status);
        break;
      case outbound_decision::kind::wait: outbox_.defer(tx, change.ids, d.delay, d.message); break;
      case outbound_decision::kind::dead:
        outbox_.mark_dead(tx, change.ids, d.attempts, d.message, d.http_status);
        break;
    }
    tx.commit();
    return d;
  } catch (const std::exception& e) {
    // A lost connection (or one lost during COMMIT) leaves nothing recordable: the caller keeps
    // the key aside and it is looked at again. Anything else is recorded as what it is, so an
    // error that comes back every time cannot send the same request again and again.
    const auto failure = pg::classify(e);
    if (!failure || failure->kind() == pg::db_failure::connection_lost || failure->kind() == pg::db_failure::in_doubt)
      throw;
    const auto instead = decide_record_failure(d, context, failure->transient(), failure->what());
    record_failure(conn, claimed, change, outcome, instead);
    return instead;
  }
}

void outcome_writer::record_failure(pqxx::connection& conn, const claimed_key& claimed, const merged_change& change,
                                    const outbound_outcome& outcome, const outbound_decision& d) const {
  const auto& key = claimed.key;
  pqxx::work tx(conn);
  fence(tx, claimed, false);
  if (d.forget_identity) identities_.remove(tx, key.object, key.key);
  if (d.save_identity && outcome.entity_id) {
    std::optional<pg::timestamp> updated;
    if (outcome.kizen_updated)
      updated = std::chrono::time_point_cast<std::chrono::microseconds>(*outcome.kizen_updated);
    pg::savepoint identity(tx, "ks_identity");
    try {
      // Not saved (another key holds the record): the dead letter's message says why anyway.
      if (identities_.save(tx, key.object, key.key, *outcome.entity_id, d.synced_values, updated)) identity.release();
    } catch (const pqxx::sql_error&) {
      // What failed may be this very write; the letter is recorded without it.
    }
  }
  if (d.what == outbound_decision::kind::retry)
    outbox_.schedule_retry(tx, change.ids, d.attempts, d.delay, d.message, d.http_status);
  else
    outbox_.mark_dead(tx, change.ids, d.attempts, d.message, d.http_status);
  tx.commit();
}

outbound_decision outcome_writer::record_move(pqxx::connection& conn, const claimed_key& claimed,
                                           const merged_change& change, const outbound_outcome& outcome) const {
  const auto& key = claimed.key;
  outbound_decision d;
  d.what = outbound_decision::kind::done;
  d.attempts = change.attempts;
  pqxx::work tx(conn);
  fence(tx, claimed, false);
  if (!identities_.move(tx, key.object, key.key, *outcome.identity_moved_to))
    d.message = "key " + *outcome.identity_moved_to + " got a Kizen record of its own meanwhile; record " +
                outcome.entity_id.value_or("") + " of key " + key.key + " is left as it is";
  outbox_.mark_done(tx, change.ids, outcome.entity_id, std::nullopt);
  tx.commit();
  return d;
}

void outcome_writer::fence(pqxx::transaction_base& tx, const claimed_key& claimed, bool writes_row) const {
  if (writes_row) table_rows_.lock(tx, bindings_.at(claimed.key.object).table, claimed.key.key);
  if (!leases_.settle(tx, claimed.lease())) throw lease_lost();
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
      if (auto image = table_rows_.locked_image(tx, table, key.key))
        outbox_.enqueue(tx, key.object, key.key, pg::change_op::update, d.follow_up_columns, *image);
    }
  }
  outbox_.mark_done(tx, change.ids, outcome.entity_id, updated);
}

}  // namespace ks::engine
