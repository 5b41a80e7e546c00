#include "daemon/engine/outbound/change_applier.hpp"

#include "common/log_line.hpp"
#include "common/uuid_text.hpp"
#include "daemon/engine/mapping/value_codec.hpp"

#include <algorithm>

namespace ks::engine {

namespace net = boost::asio;
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

apply_outcome applied(const kizen::record& rec, std::string path, int requests) {
  apply_outcome o;
  o.what = apply_outcome::kind::applied;
  o.entity_id = ks::normalize_uuid(rec.id);
  o.kizen_updated = rec.updated;
  o.path = std::move(path);
  o.requests = requests;
  return o;
}

}  // namespace

std::vector<kizen::field_write> to_field_writes(const std::vector<planned_write>& writes) {
  std::vector<kizen::field_write> out;
  out.reserve(writes.size());
  for (const auto& w : writes) {
    kizen::field_write f;
    f.field = w.field_name;
    if (w.value) {
      f.value = *w.value;
    } else {
      if (!w.add_values.empty()) f.add_values = json::array(w.add_values.begin(), w.add_values.end());
      if (!w.remove_values.empty())
        f.remove_values = json::array(w.remove_values.begin(), w.remove_values.end());
    }
    out.push_back(std::move(f));
  }
  return out;
}

apply_outcome failure_outcome(const kizen::error& e, std::string_view what) {
  apply_outcome o;
  o.what = e.retryable ? apply_outcome::kind::retry : apply_outcome::kind::dead;
  o.message = std::string(what) + ": " + e.message;
  if (e.http_status) o.http_status = e.http_status;
  o.retry_after = e.retry_after;
  o.throttled = e.throttled;
  return o;
}

change_applier::change_applier(kizen::client& client, std::shared_ptr<spdlog::logger> logger)
    : client_(client), logger_(std::move(logger)) {}

net::awaitable<apply_outcome> change_applier::apply(const object_binding& object, const merged_change& change,
                                                    const std::optional<std::string>& known_entity_id,
                                                    const reference_lookup& references,
                                                    const before_create_hook& before_create) {
  if (change.action == merged_change::kind::archive) co_return co_await archive(object, change, known_entity_id);
  if (!known_entity_id)
    co_return co_await create(object, change, references, std::nullopt, before_create, 0);

  // Mapped already: PATCH with the changed fields only (all of them after a re-insert).
  auto plan = plan_writes(object, change, change.began_with_insert, references);
  if (!plan) {
    apply_outcome o;
    o.what = apply_outcome::kind::dead;
    o.message = plan.error().message;
    co_return o;
  }
  if (!plan->unresolved.empty()) {
    apply_outcome o;
    o.what = apply_outcome::kind::wait;
    o.waiting_for = plan->unresolved;
    o.message = "waiting for referenced rows to reach Kizen: " + describe(plan->unresolved);
    co_return o;
  }
  if (plan->writes.empty()) {
    apply_outcome o;  // only unsent (from_kizen) columns changed: Kizen already agrees
    o.what = apply_outcome::kind::nothing_to_do;
    o.entity_id = known_entity_id;
    o.message = "no mapped field to send";
    co_return o;
  }
  auto r = co_await client_.patch_record(object.mapping->object, *known_entity_id,
                                         to_field_writes(plan->writes));
  if (r) co_return applied(*r, "patch", 1);
  if (r.error().http_status == 404) {
    // Archived or deleted in Kizen: drop the stale identity and resolve again, once.
    logger_->info(log_line("mapped record is gone from Kizen; resolving the identity again",
                           {{"object", object.mapping->object}, {"entity_id", *known_entity_id}}));
    co_return co_await create(object, change, references, known_entity_id, before_create, 1);
  }
  co_return failure_outcome(r.error(), "PATCH " + object.mapping->object);
}

net::awaitable<apply_outcome> change_applier::archive(const object_binding& object, const merged_change& change,
                                                      const std::optional<std::string>& known_entity_id) {
  std::optional<std::string> entity = known_entity_id;
  if (!entity && object.mapping->entity_id_column) {
    if (auto id = text_of(change.before, *object.mapping->entity_id_column); id && ks::is_uuid(*id))
      entity = ks::normalize_uuid(*id);
  }
  int requests = 0;
  if (!entity && change.attempts > 0 && !change.images.empty()) {
    // Never mapped, but a create of this segment was attempted: it may have landed.
    const auto values = object.mapping->lookup
                            ? lookup_values(change, *object.mapping->lookup, change.images.size(), std::nullopt)
                            : std::vector<std::string>{};
    auto found = co_await find_earlier_create(object, change, values, requests);
    if (!found) co_return std::move(found.error());
    entity = *found;
  }
  apply_outcome o;
  o.requests = requests;
  if (!entity) {
    o.what = apply_outcome::kind::nothing_to_do;
    o.message = "deleted before it reached Kizen: nothing to archive";
    co_return o;
  }
  auto r = co_await client_.archive_record(object.mapping->object, *entity);
  ++o.requests;
  if (!r && r.error().http_status != 404) {
    auto failed = failure_outcome(r.error(), "DELETE " + object.mapping->object);
    failed.requests = o.requests;
    co_return failed;
  }
  o.what = apply_outcome::kind::applied;  // a 404 means it is archived already: same end state
  o.entity_id = entity;
  o.forget_identity = true;
  o.path = r ? "archive" : "archive (already gone)";
  co_return o;
}

net::awaitable<ks::result<std::optional<std::string>, apply_outcome>> change_applier::find_earlier_create(
    const object_binding& object, const merged_change& change, const std::vector<std::string>& values,
    int& requests) {
  const auto& m = *object.mapping;
  for (const auto& value : values) {
    auto found = co_await client_.lookup_record(m.object, value);
    ++requests;
    if (!found) co_return ks::fail(failure_outcome(found.error(), "lookup " + m.object));
    if (*found) co_return std::optional<std::string>(ks::normalize_uuid((*found)->id));
  }
  const auto& image = change.images.empty() ? change.before : change.images.back();
  const auto key = text_of(image, m.key);
  if (object.match_field && key) co_return co_await find_by_match_field(object, *key, requests);
  co_return std::optional<std::string>();
}

net::awaitable<ks::result<std::optional<std::string>, apply_outcome>> change_applier::find_by_match_field(
    const object_binding& object, const std::string& key, int& requests) {
  const auto& m = *object.mapping;
  const auto& field = *object.match_field;
  kizen::search_query q;
  q.groups.push_back({true, {field.is_default ? kizen::search_filter::builtin(field.name, "=", json::value(key))
                                              : kizen::search_filter::custom_field(field.id, "=", json::value(key))}});
  q.page_size = 2;
  q.field_names = {field.name};
  auto found = co_await client_.search_records(m.object, q);
  ++requests;
  if (!found) co_return ks::fail(failure_outcome(found.error(), "search " + m.object));
  if (found->results.size() > 1 || found->count > 1) {
    apply_outcome o;
    o.what = apply_outcome::kind::dead;
    o.message = std::to_string(found->count) + " Kizen records of " + m.object + " have " + field.name + " = '" +
                key + "'; fix the duplicates in Kizen, then replay";
    co_return ks::fail(std::move(o));
  }
  if (found->results.size() == 1) co_return std::optional<std::string>(ks::normalize_uuid(found->results.front().id));
  co_return std::optional<std::string>();
}

net::awaitable<apply_outcome> change_applier::create(const object_binding& object, const merged_change& change,
                                                     const reference_lookup& references,
                                                     const std::optional<std::string>& stale_entity_id,
                                                     const before_create_hook& before_create, int requests) {
  const auto& m = *object.mapping;
  auto plan = plan_writes(object, change, /*full=*/true, references);
  if (!plan) {
    apply_outcome o;
    o.what = apply_outcome::kind::dead;
    o.message = plan.error().message;
    co_return o;
  }
  const auto writes = to_field_writes(plan->writes);
  auto finish = [&](apply_outcome o) {
    o.requests += requests;
    if (o.what == apply_outcome::kind::applied) o.follow_up_columns = plan->incomplete_columns;
    if (stale_entity_id) o.forget_identity = true;
    return o;
  };

  // 1. The row names its Kizen record itself.
  if (m.entity_id_column) {
    if (auto id = text_of(change.after, *m.entity_id_column);
        id && ks::is_uuid(*id) && ks::normalize_uuid(*id) != stale_entity_id) {
      auto r = co_await client_.patch_record(m.object, ks::normalize_uuid(*id), writes);
      ++requests;
      if (r) co_return finish(applied(*r, "patch (entity_id_column)", 0));
      if (r.error().http_status != 404) co_return finish(failure_outcome(r.error(), "PATCH " + m.object));
      // A stale id in the column: fall through to the lookup.
    }
  }

  // 2. Upsert by the lookup value: safe to retry, never duplicates.
  if (m.lookup) {
    if (auto value = text_of(change.after, *m.lookup)) {
      if (change.attempts > 0) {
        // An earlier attempt may have created the record under a lookup value the row has since
        // changed; upserting the new value would make a second record.
        const auto earlier = lookup_values(change, *m.lookup, change.images.size() - 1, value);
        for (const auto& v : earlier) {
          auto found = co_await client_.lookup_record(m.object, v);
          ++requests;
          if (!found) co_return finish(failure_outcome(found.error(), "lookup " + m.object));
          if (!*found) continue;
          auto r = co_await client_.patch_record(m.object, (*found)->id, writes);
          ++requests;
          if (r) co_return finish(applied(*r, "patch (found under an earlier lookup value)", 0));
          co_return finish(failure_outcome(r.error(), "PATCH " + m.object));
        }
      }
      if (before_create) co_await before_create();
      kizen::upsert_options options;
      options.oncreate_unarchive = kizen::unarchive_mode::unarchive;  // the row exists: so must the record
      auto r = co_await client_.upsert_record(m.object, *value, writes, options);
      ++requests;
      if (!r) co_return finish(failure_outcome(r.error(), "upsert " + m.object));
      co_return finish(applied(r->rec, std::string("upsert (") + kizen::to_string(r->action) + ")", 0));
    }
  }

  // 3. Search by the field that stores our key, then PATCH or add.
  const auto key = text_of(change.after, m.key);
  if (object.match_field && key) {
    auto found = co_await find_by_match_field(object, *key, requests);
    if (!found) co_return finish(std::move(found).error());
    if (*found) {
      auto r = co_await client_.patch_record(m.object, **found, writes);
      ++requests;
      if (r) co_return finish(applied(*r, "patch (match_field)", 0));
      co_return finish(failure_outcome(r.error(), "PATCH " + m.object));
    }
  } else if (change.attempts > 0 && !m.lookup) {
    logger_->warn(log_line("retrying an add without lookup or match_field: a lost earlier response "
                           "may leave a duplicate record",
                           {{"object", m.object}, {"key", key.value_or("")}, {"attempt", change.attempts + 1}}));
  }

  // 4. Add.
  if (before_create) co_await before_create();
  auto r = co_await client_.add_record(m.object, writes);
  ++requests;
  if (!r) co_return finish(failure_outcome(r.error(), "add " + m.object));
  co_return finish(applied(*r, "add", 0));
}

}  // namespace ks::engine
