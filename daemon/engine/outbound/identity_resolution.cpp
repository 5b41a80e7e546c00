#include "daemon/engine/outbound/identity_resolution.hpp"

#include "common/uuid_text.hpp"
#include "daemon/engine/mapping/value_codec.hpp"

#include <algorithm>

namespace ks::engine {

namespace json = boost::json;

namespace {

std::optional<std::string> text_of(const json::object& row, const std::string& column) {
  const auto it = row.find(column);
  if (it == row.end() || it->value().is_null()) return std::nullopt;
  auto t = key_text(it->value());
  if (!t || t->empty()) return std::nullopt;
  return *t;
}

// The distinct lookup values of the first `count` images, newest first, other than `except`.
std::vector<std::string> lookup_values(const merged_change& change, const std::string& column, std::size_t count,
                                       const std::optional<std::string>& except) {
  std::vector<std::string> out;
  for (std::size_t i = std::min(count, change.images.size()); i-- > 0;) {
    auto v = text_of(change.images[i], column);
    if (v && v != except && std::find(out.begin(), out.end(), *v) == out.end()) out.push_back(std::move(*v));
  }
  return out;
}

outbound_outcome dead_outcome(std::string message) {
  outbound_outcome o;
  o.what = outbound_outcome::kind::dead;
  o.message = std::move(message);
  return o;
}

}  // namespace

kizen_reply kizen_reply::failed(kizen::error e) {
  kizen_reply r;
  r.error = std::move(e);
  return r;
}
kizen_reply kizen_reply::of(kizen::record rec) {
  kizen_reply r;
  r.record = std::move(rec);
  return r;
}
kizen_reply kizen_reply::upserted(kizen::record rec, kizen::upsert_action a) {
  kizen_reply r;
  r.record = std::move(rec);
  r.action = a;
  return r;
}
kizen_reply kizen_reply::nothing() { return {}; }
kizen_reply kizen_reply::found(std::int64_t count, std::vector<std::string> ids) {
  kizen_reply r;
  r.count = count;
  r.ids = std::move(ids);
  return r;
}

identity_resolution::identity_resolution(const object_binding& object, const merged_change& change,
                                         std::optional<std::string> known_entity_id, const kizen_id_lookup& references)
    : object_(object), change_(change), known_(std::move(known_entity_id)), references_(references) {}

resolution_step identity_resolution::call(state next, kizen_call c) {
  state_ = next;
  ++requests_;
  resolution_step s;
  s.what = resolution_step::kind::call;
  s.call = std::move(c);
  return s;
}

resolution_step identity_resolution::finish(outbound_outcome o) {
  state_ = state::done;
  o.requests = requests_;
  outcome_ = std::move(o);
  return {};
}

resolution_step identity_resolution::finish_create(outbound_outcome o) {
  if (o.what == outbound_outcome::kind::applied) o.follow_up_columns = plan_.incomplete_columns;
  if (stale_) o.forget_identity = true;
  return finish(std::move(o));
}

kizen_call identity_resolution::patch_call(std::string entity_id) const {
  kizen_call c;
  c.what = kizen_call::kind::patch;
  c.entity_id = std::move(entity_id);
  c.writes = writes_;
  return c;
}

resolution_step identity_resolution::next_lookup(state looking) {
  if (index_ < lookup_values_.size()) return call(looking, lookup_call(lookup_values_[index_]));
  // None left: a delete goes on by match_field, a create by upserting the current value.
  if (looking == state::archive_lookup) return archive_after_lookups();
  return create_upsert();
}

kizen_call identity_resolution::lookup_call(const std::string& value) {
  kizen_call c;
  c.what = kizen_call::kind::lookup;
  c.value = value;
  return c;
}

kizen_call identity_resolution::match_search_call(const std::string& key) const {
  const auto& field = *object_.match_field;
  kizen_call c;
  c.what = kizen_call::kind::search;
  c.query.groups.push_back({true,
                            {field.is_default ? kizen::search_filter::builtin(field.name, "=", json::value(key))
                                              : kizen::search_filter::custom_field(field.id, "=", json::value(key))}});
  c.query.page_size = 2;  // one is the answer; a second says Kizen holds duplicates
  c.query.field_names = {field.name};
  return c;
}

outbound_outcome identity_resolution::duplicates(const kizen_reply& reply, const std::string& key) const {
  return dead_outcome(std::to_string(std::max<std::int64_t>(reply.count, static_cast<std::int64_t>(reply.ids.size()))) +
                      " Kizen records of " + object_.mapping->object + " have " + object_.match_field->name + " = '" +
                      key + "'; fix the duplicates in Kizen, then replay");
}

// --- start ----------------------------------------------------------------------------------

resolution_step identity_resolution::start() {
  if (change_.action == merged_change::kind::archive) return begin_archive();
  if (!known_) return begin_create(std::nullopt);

  // Mapped already: PATCH with the changed fields only (all of them after a re-insert).
  auto plan = plan_writes(object_, change_, change_.began_with_insert, references_);
  if (!plan) return finish(dead_outcome(plan.error().message));
  if (!plan->unresolved.empty()) {
    outbound_outcome o;
    o.what = outbound_outcome::kind::wait;
    o.waiting_for = plan->unresolved;
    o.message = "waiting for referenced rows to reach Kizen: " + describe(plan->unresolved);
    return finish(std::move(o));
  }
  if (plan->writes.empty()) {
    outbound_outcome o;  // only unsent (from_kizen) columns changed: Kizen already agrees
    o.what = outbound_outcome::kind::nothing_to_do;
    o.entity_id = known_;
    o.message = "no mapped field to send";
    return finish(std::move(o));
  }
  writes_ = to_field_writes(plan->writes);
  return call(state::patch_known, patch_call(*known_));
}

// --- archive --------------------------------------------------------------------------------

resolution_step identity_resolution::begin_archive() {
  const auto& m = *object_.mapping;
  if (!known_ && m.entity_id_column) {
    if (auto id = text_of(change_.before, *m.entity_id_column); id && is_uuid(*id)) known_ = normalize_uuid(*id);
  }
  if (!known_ && change_.attempts > 0 && !change_.images.empty()) {
    // Never mapped, but a create of this segment was attempted: it may have landed.
    if (m.lookup) lookup_values_ = lookup_values(change_, *m.lookup, change_.images.size(), std::nullopt);
    index_ = 0;
    return next_lookup(state::archive_lookup);
  }
  return archive_entity();
}

resolution_step identity_resolution::archive_after_lookups() {
  const auto& image = change_.images.empty() ? change_.before : change_.images.back();
  match_key_ = text_of(image, object_.mapping->key);
  if (object_.match_field && match_key_) return call(state::archive_search, match_search_call(*match_key_));
  return archive_entity();
}

resolution_step identity_resolution::archive_entity() {
  if (!known_) {
    outbound_outcome o;
    o.what = outbound_outcome::kind::nothing_to_do;
    o.message = "deleted before it reached Kizen: nothing to archive";
    return finish(std::move(o));
  }
  kizen_call c;
  c.what = kizen_call::kind::archive;
  c.entity_id = *known_;
  return call(state::archive, std::move(c));
}

// --- create ---------------------------------------------------------------------------------

resolution_step identity_resolution::begin_create(std::optional<std::string> stale_entity_id) {
  stale_ = std::move(stale_entity_id);
  const auto& m = *object_.mapping;
  auto plan = plan_writes(object_, change_, /*full=*/true, references_);
  if (!plan) return finish(dead_outcome(plan.error().message));
  plan_ = std::move(*plan);
  writes_ = to_field_writes(plan_.writes);

  // 1. The row names its Kizen record itself.
  if (m.entity_id_column) {
    if (auto id = text_of(change_.after, *m.entity_id_column); id && is_uuid(*id) && normalize_uuid(*id) != stale_)
      return call(state::entity_column_patch, patch_call(normalize_uuid(*id)));
  }
  return create_by_lookup();
}

resolution_step identity_resolution::create_by_lookup() {
  const auto& m = *object_.mapping;
  if (!m.lookup || !text_of(change_.after, *m.lookup)) return create_by_match_field();
  const auto value = *text_of(change_.after, *m.lookup);
  if (change_.attempts > 0) {
    // An earlier attempt may have created the record under a lookup value the row has since
    // changed; upserting the new value would make a second record.
    const std::size_t earlier = change_.images.empty() ? 0 : change_.images.size() - 1;
    lookup_values_ = lookup_values(change_, *m.lookup, earlier, value);
    index_ = 0;
    return next_lookup(state::earlier_lookup);
  }
  return create_upsert();
}

resolution_step identity_resolution::create_upsert() {
  kizen_call c;
  c.what = kizen_call::kind::upsert;
  c.value = *text_of(change_.after, *object_.mapping->lookup);
  c.writes = writes_;
  c.upsert.oncreate_unarchive = kizen::unarchive_mode::unarchive;  // the row exists: so must the record
  c.creates = true;
  return call(state::upsert, std::move(c));
}

resolution_step identity_resolution::create_by_match_field() {
  const auto& m = *object_.mapping;
  match_key_ = text_of(change_.after, m.key);
  if (object_.match_field && match_key_) return call(state::match_search, match_search_call(*match_key_));
  return create_add();
}

resolution_step identity_resolution::create_add() {
  const auto& m = *object_.mapping;
  kizen_call c;
  c.what = kizen_call::kind::add;
  c.writes = writes_;
  c.creates = true;
  auto step = call(state::add, std::move(c));
  step.may_duplicate = change_.attempts > 0 && !m.lookup && !object_.match_field;
  return step;
}

// --- replies --------------------------------------------------------------------------------

resolution_step identity_resolution::resume(const kizen_reply& reply) {
  const auto& object = object_.mapping->object;
  switch (state_) {
    case state::patch_known:
      if (!reply.error) return finish(applied_outcome(*reply.record, "patch"));
      if (reply.error->http_status == 404) {
        // Archived or deleted in Kizen: drop the stale identity and resolve again, once.
        auto step = begin_create(known_);
        if (step.note.empty()) step.note = "mapped record is gone from Kizen; resolving the identity again";
        return step;
      }
      return finish(failure_outcome(*reply.error, "PATCH " + object));

    case state::archive_lookup:
      if (reply.error) return finish(failure_outcome(*reply.error, "lookup " + object));
      if (reply.record) {
        known_ = normalize_uuid(reply.record->id);
        return archive_entity();
      }
      ++index_;
      return next_lookup(state::archive_lookup);

    case state::archive_search:
      if (reply.error) return finish(failure_outcome(*reply.error, "search " + object));
      if (reply.ids.size() > 1 || reply.count > 1) return finish(duplicates(reply, *match_key_));
      if (reply.ids.size() == 1) known_ = normalize_uuid(reply.ids.front());
      return archive_entity();

    case state::archive: {
      // A 404 means it is archived already: the same end state.
      if (reply.error && reply.error->http_status != 404)
        return finish(failure_outcome(*reply.error, "DELETE " + object));
      outbound_outcome o;
      o.what = outbound_outcome::kind::applied;
      o.entity_id = known_;
      o.forget_identity = true;
      o.path = reply.error ? "archive (already gone)" : "archive";
      return finish(std::move(o));
    }

    case state::entity_column_patch:
      if (!reply.error) return finish_create(applied_outcome(*reply.record, "patch (entity_id_column)"));
      if (reply.error->http_status != 404) return finish_create(failure_outcome(*reply.error, "PATCH " + object));
      return create_by_lookup();  // a stale id in the column: look further

    case state::earlier_lookup:
      if (reply.error) return finish_create(failure_outcome(*reply.error, "lookup " + object));
      if (!reply.record) {
        ++index_;
        return next_lookup(state::earlier_lookup);
      }
      return call(state::earlier_patch, patch_call(reply.record->id));

    case state::earlier_patch:
      if (reply.error) return finish_create(failure_outcome(*reply.error, "PATCH " + object));
      return finish_create(applied_outcome(*reply.record, "patch (found under an earlier lookup value)"));

    case state::upsert:
      if (reply.error) return finish_create(failure_outcome(*reply.error, "upsert " + object));
      return finish_create(applied_outcome(
          *reply.record,
          std::string("upsert (") + kizen::to_string(reply.action.value_or(kizen::upsert_action::updated)) + ")"));

    case state::match_search:
      if (reply.error) return finish_create(failure_outcome(*reply.error, "search " + object));
      if (reply.ids.size() > 1 || reply.count > 1) return finish_create(duplicates(reply, *match_key_));
      if (reply.ids.size() == 1) return call(state::match_patch, patch_call(normalize_uuid(reply.ids.front())));
      return create_add();

    case state::match_patch:
      if (reply.error) return finish_create(failure_outcome(*reply.error, "PATCH " + object));
      return finish_create(applied_outcome(*reply.record, "patch (match_field)"));

    case state::add:
      if (reply.error) return finish_create(failure_outcome(*reply.error, "add " + object));
      return finish_create(applied_outcome(*reply.record, "add"));

    case state::idle:
    case state::done: break;
  }
  return finish(dead_outcome("internal error: a reply with no request in flight"));
}

}  // namespace ks::engine
