// Add, update (by id or updateKey), upsert and delete.
#include <boost/json.hpp>

#include "kintone_api.hpp"
#include "record_writer.hpp"

namespace kintone_emulator {

namespace json = boost::json;

namespace {

using F = ks::failure<api_error>;
constexpr std::size_t max_batch = 100;

api_error field_error(const std::string& key, text_pair text) {
  return errors::invalid_input({{key, std::move(text)}});
}

// The `records` array of a bulk call: present, not empty, at most 100 entries.
ks::result<const json::array*, api_error> batch(const json::object& params) {
  const auto* v = params.if_contains("records");
  if (!v || v->is_null() || (v->is_array() && v->get_array().empty()))
    return F{field_error("records", errors::required())};
  if (!v->is_array()) return F{field_error("records", errors::bad_value())};
  if (v->get_array().size() > max_batch) return F{field_error("records", errors::too_many("records", max_batch))};
  return &v->get_array();
}

ks::result<update_item, api_error> update_item_of(const json::object& o, const std::string& where) {
  update_item item;
  std::int64_t n = 0;
  switch (int_param(o, "id", n)) {
    case int_state::ok: item.id = n; break;
    case int_state::invalid: return F{field_error(where + "id", errors::not_a_number())};
    case int_state::absent: break;
  }
  if (const auto* key = o.if_contains("updateKey"); key && !key->is_null()) {
    const auto* field = key->is_object() ? key->get_object().if_contains("field") : nullptr;
    const auto* value = key->is_object() ? key->get_object().if_contains("value") : nullptr;
    if (!field || !field->is_string()) return F{field_error(where + "updateKey.field", errors::required())};
    if (!value) return F{field_error(where + "updateKey.value", errors::required())};
    item.key_field = std::string(field->get_string());
    item.key_value = *value;
  }
  switch (int_param(o, "revision", n)) {
    case int_state::ok: item.revision = n; break;
    case int_state::invalid: return F{field_error(where + "revision", errors::not_a_number())};
    case int_state::absent: break;
  }
  if (const auto* r = o.if_contains("record")) item.record = *r;
  return item;
}

json::value record_or_null(const json::object& params) {
  const auto* r = params.if_contains("record");
  return r ? *r : json::value(nullptr);
}

}  // namespace

api_result kintone_api::add_record(const api_call& call, const app_def& app, const principal& who) {
  record_writer w(store_, app, clock_.now_ms(), identity_for(who, app));
  const std::vector<json::value> one{record_or_null(call.params)};
  auto done = w.add(one, false);
  if (!done) return F{done.error()};
  const auto& r = done->front();
  return json::value(json::object{{"id", std::to_string(r.id)}, {"revision", std::to_string(r.revision)}});
}

api_result kintone_api::add_records(const api_call& call, const app_def& app, const principal& who) {
  auto list = batch(call.params);
  if (!list) return F{list.error()};
  const std::vector<json::value> records(list.value()->begin(), list.value()->end());
  record_writer w(store_, app, clock_.now_ms(), identity_for(who, app));
  auto done = w.add(records, true);
  if (!done) return F{done.error()};
  json::array ids, revisions;
  for (const auto& r : done.value()) {
    ids.push_back(json::string(std::to_string(r.id)));
    revisions.push_back(json::string(std::to_string(r.revision)));
  }
  return json::value(json::object{{"ids", std::move(ids)}, {"revisions", std::move(revisions)}});
}

api_result kintone_api::update_record(const api_call& call, const app_def& app, const principal& who) {
  auto item = update_item_of(call.params, "");
  if (!item) return F{item.error()};
  record_writer w(store_, app, clock_.now_ms(), identity_for(who, app));
  const std::vector<update_item> one{std::move(item).value()};
  auto done = w.update(one, false, false);
  if (!done) return F{done.error()};
  return json::value(json::object{{"revision", std::to_string(done->front().revision)}});
}

api_result kintone_api::update_records(const api_call& call, const app_def& app, const principal& who, bool upsert) {
  auto list = batch(call.params);
  if (!list) return F{list.error()};
  std::vector<update_item> items;
  for (std::size_t i = 0; i < list.value()->size(); ++i) {
    const auto& entry = (*list.value())[i];
    const std::string where = "records[" + std::to_string(i) + "].";
    if (!entry.is_object()) return F{field_error("records[" + std::to_string(i) + "]", errors::bad_value())};
    auto item = update_item_of(entry.get_object(), where);
    if (!item) return F{item.error()};
    items.push_back(std::move(item).value());
  }
  record_writer w(store_, app, clock_.now_ms(), identity_for(who, app));
  auto done = w.update(items, true, upsert);
  if (!done) return F{done.error()};
  json::array out;
  for (const auto& r : done.value()) {
    json::object o{{"id", std::to_string(r.id)}, {"revision", std::to_string(r.revision)}};
    if (upsert) o["operation"] = r.inserted ? "INSERT" : "UPDATE";
    out.push_back(std::move(o));
  }
  return json::value(json::object{{"records", std::move(out)}});
}

api_result kintone_api::delete_records(const api_call& call, const app_def& app) {
  auto numbers = [&](const char* name, std::vector<std::int64_t>& out) -> std::optional<api_error> {
    const auto* v = call.params.if_contains(name);
    if (!v || v->is_null()) return std::nullopt;
    if (!v->is_array()) return field_error(name, errors::bad_value());
    if (v->get_array().size() > max_batch) return field_error(name, errors::too_many(name, max_batch));
    for (std::size_t i = 0; i < v->get_array().size(); ++i) {
      std::int64_t n = 0;
      if (int_value(v->get_array()[i], n) != int_state::ok)
        return field_error(std::string(name) + "[" + std::to_string(i) + "]", errors::not_a_number());
      out.push_back(n);
    }
    return std::nullopt;
  };
  std::vector<std::int64_t> ids, revisions;
  if (auto e = numbers("ids", ids)) return F{*e};
  if (ids.empty()) return F{field_error("ids", errors::required())};
  if (auto e = numbers("revisions", revisions)) return F{*e};
  record_writer w(store_, app, clock_.now_ms(), writer_identity{});
  auto done = w.remove(ids, revisions);
  if (!done) return F{done.error()};
  return json::value(json::object{});
}

}  // namespace kintone_emulator
