#include "daemon/engine/inbound/record_match.hpp"

#include "common/uuid_text.hpp"

#include <algorithm>

namespace ks::engine {

record_match::record_match(const object_binding& object, const kizen::record& record, translated_record translated,
                           wall_time now)
    : object_(object),
      record_(record),
      translated_(std::move(translated)),
      entity_(normalize_uuid(record.id)),
      kizen_time_(record.updated
                      ? wall_time(std::chrono::duration_cast<wall_time::duration>(record.updated->time_since_epoch()))
                      : now) {
  for (const auto& kv : translated_.values) received_.emplace_back(kv.key());
}

match_question record_match::ask(state next, match_question::kind what, std::string key, std::string value) {
  state_ = next;
  match_question q;
  q.what = what;
  q.key = std::move(key);
  q.value = std::move(value);
  return q;
}

match_question record_match::finish(record_action a) {
  state_ = state::done;
  action_ = std::move(a);
  return {};
}

match_question record_match::fail(std::string reason) {
  record_action a;
  a.what = record_action::kind::fail;
  a.reason = std::move(reason);
  return finish(std::move(a));
}

// Older than the version we know: nothing in it is news. The version itself is not skipped: our
// own write comes back with it, but so does whatever a Kizen user changed in other fields just
// before (the write's response only echoes the fields it sent), and two versions can share one
// `updated`. Applying it is a no-op where Kizen holds what was last synced, so an echo costs nothing.
bool record_match::superseded(const std::optional<known_identity>& i) const {
  return i && i->entity_id == entity_ && i->kizen_updated && record_.updated && *record_.updated < *i->kizen_updated;
}

// This very version, already applied: every value is the one last synced (the overlap window
// re-reads each record several times; this keeps the re-reads cheap).
bool record_match::already_applied(const std::optional<known_identity>& i) const {
  if (!i || i->entity_id != entity_ || !i->kizen_updated || !record_.updated || *record_.updated != *i->kizen_updated)
    return false;
  for (const auto& kv : translated_.values) {
    const auto* synced = i->synced_values.if_contains(kv.key());
    if (!synced || *synced != kv.value()) return false;
  }
  return true;
}

match_question record_match::start() {
  if (!translated_.problems.empty()) {
    std::string all;
    for (const auto& p : translated_.problems) all += (all.empty() ? "" : "; ") + p;
    return fail(all);
  }
  return ask(state::by_entity, match_question::kind::identity_of_record);
}

match_question record_match::find_by_key_field() {
  if (translated_.key) return ask(state::by_key_field, match_question::kind::row_exists, *translated_.key);
  return find_by_entity_column();
}

match_question record_match::find_by_entity_column() {
  if (object_.mapping->entity_id_column)
    return ask(state::by_entity_column, match_question::kind::key_by_entity_column);
  return find_by_lookup();
}

match_question record_match::find_by_lookup() {
  const auto& lookup = object_.mapping->lookup;
  if (lookup) {
    const auto it = translated_.values.find(*lookup);
    if (it != translated_.values.end() && it->value().is_string())
      return ask(state::by_lookup, match_question::kind::key_by_lookup, {}, std::string(it->value().get_string()));
  }
  return lock_found_key();
}

match_question record_match::lock_found_key() {
  if (key_) return ask(state::locked, match_question::kind::lock_key, *key_);
  return check_exists();
}

match_question record_match::check_exists() {
  if (key_) return ask(state::exists, match_question::kind::row_exists, *key_);
  exists_ = false;
  return read_queued();
}

match_question record_match::read_queued() {
  if ((mapped_ || identity_) && !exists_) {
    record_action a;  // deleted here; the queued delete archives it in Kizen
    a.reason = "its row was deleted here";
    return finish(std::move(a));
  }
  if (key_) return ask(state::queued, match_question::kind::queued_columns, *key_);
  return decide({});
}

match_question record_match::decide(const std::vector<std::string>& unchanged_in_kizen) {
  const auto& m = *object_.mapping;
  const auto decision = resolve_conflicts(m.conflict, received_, queued_, kizen_time_, unchanged_in_kizen);
  record_action a;
  a.decisions = decision.decisions;
  a.columns = decision.write;
  a.drop_pending = decision.drop_pending;
  a.synced_values = identity_ ? identity_->synced_values : boost::json::object{};
  for (const auto& c : decision.write) a.synced_values[c] = translated_.values.at(c);
  if (exists_) {
    a.what = record_action::kind::update;
    a.key = key_;
    return finish(std::move(a));
  }
  // A new row: keyed by key_field's value, else by the key column's default, else by the record id.
  a.what = record_action::kind::insert;
  if (translated_.key) {
    a.key = translated_.key;
  } else if (object_.table.new_key == pg::new_row_key::entity_id) {
    a.key = entity_;
  } else if (object_.table.new_key != pg::new_row_key::column_default) {
    const std::string given = object_.key_field ? "it has no value in key_field '" + object_.key_field->name + "'"
                                                : "the mapping has no key_field";
    return fail("no row mirrors it and a new row would have no key: " + given + ", and key column '" + m.key +
                "' has no default and is not text or uuid (for the Kizen record id)");
  }
  return finish(std::move(a));
}

match_question record_match::resume(const match_answer& answer) {
  switch (state_) {
    case state::by_entity:
      mapped_ = answer.identity;
      if (mapped_ && mapped_->entity_id == entity_) keep_synced_instants(object_, translated_, mapped_->synced_values);
      if (superseded(mapped_) || already_applied(mapped_)) return finish({});
      if (mapped_) {
        key_ = mapped_->key;
        return lock_found_key();
      }
      return find_by_key_field();

    case state::by_key_field:
      if (answer.exists) {
        key_ = translated_.key;
        return lock_found_key();
      }
      return find_by_entity_column();

    case state::by_entity_column:
      if (answer.key) {
        key_ = answer.key;
        return lock_found_key();
      }
      return find_by_lookup();

    case state::by_lookup: key_ = answer.key; return lock_found_key();

    case state::locked:
      // Read again under the lock: an outbound request for the key may have finished while we
      // waited, storing the version this record came back with (an echo), or a new identity.
      identity_ = answer.identity;
      if (identity_ && identity_->entity_id != entity_) {
        if (mapped_)
          return fail("its row (key " + *key_ + ") was mapped to Kizen record " + identity_->entity_id + " meanwhile");
        key_.reset();  // the row found by key_field, entity id or lookup belongs to another record
        identity_.reset();
      }
      if (superseded(identity_)) return finish({});
      return check_exists();

    case state::exists: exists_ = answer.exists; return read_queued();

    case state::queued: {
      queued_ = answer.queued;
      if (!identity_ || queued_.empty()) return decide({});
      // A queued column whose Kizen value is still the one last synced was changed here only.
      match_question q;
      q.what = match_question::kind::changed_in_kizen;
      for (const auto& c : received_)
        if (queued_.count(c) && identity_->synced_values.contains(c)) q.columns.push_back(c);
      if (q.columns.empty()) return decide({});
      state_ = state::compared;
      return q;
    }

    case state::compared: {
      std::vector<std::string> unchanged;
      for (const auto& c : received_)
        if (queued_.count(c) && identity_->synced_values.contains(c) &&
            std::find(answer.changed.begin(), answer.changed.end(), c) == answer.changed.end())
          unchanged.push_back(c);
      return decide(unchanged);
    }

    case state::idle:
    case state::done: break;
  }
  return fail("internal error: an answer with no question asked");
}

}  // namespace ks::engine
