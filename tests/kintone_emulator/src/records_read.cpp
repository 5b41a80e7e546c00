// Get Record, Get Records and the cursor endpoints.
#include <boost/json.hpp>

#include "kintone_api.hpp"
#include "query_eval.hpp"
#include "record_render.hpp"

namespace kintone_emulator {

namespace json = boost::json;

namespace {

using F = ks::failure<api_error>;

// fields[]: codes to return; an unknown code is refused like an unknown field in a query.
ks::result<std::vector<std::string>, api_error> selection(const json::object& params, const app_def& app) {
  std::vector<std::string> out;
  const auto* v = params.if_contains("fields");
  if (!v || v->is_null()) return out;
  if (!v->is_array()) return F{errors::invalid_input({{"fields", errors::bad_value()}})};
  for (const auto& item : v->get_array()) {
    if (!item.is_string()) return F{errors::invalid_input({{"fields", errors::bad_value()}})};
    if (!app.field(item.get_string())) return F{errors::query_field_not_found(std::string(item.get_string()))};
    out.emplace_back(item.get_string());
  }
  return out;
}

ks::result<parsed_query, api_error> checked_query(const json::object& params, const app_def& app, const schema& dir) {
  std::string text;
  if (const auto* q = params.if_contains("query"); q && !q->is_null()) {
    if (!q->is_string()) return F{errors::query_syntax()};
    text = std::string(q->get_string());
  }
  auto parsed = parse_query(text);
  if (!parsed) return parsed;
  if (auto ok = check_query(parsed.value(), app, dir); !ok) return F{ok.error()};
  return parsed;
}

}  // namespace

api_result kintone_api::get_record(const api_call& call, const app_def& app) {
  std::int64_t id = 0;
  switch (int_param(call.params, "id", id)) {
    case int_state::absent: return F{errors::invalid_input({{"id", errors::required()}})};
    case int_state::invalid: return F{errors::invalid_input({{"id", errors::not_a_number()}})};
    case int_state::ok: break;
  }
  const auto* r = store_.find(app.id, id);
  if (!r) return F{errors::record_not_found(id)};
  return json::value(json::object{{"record", render_record(app, *r)}});
}

api_result kintone_api::get_records(const api_call& call, const app_def& app) {
  auto fields = selection(call.params, app);
  if (!fields) return F{fields.error()};
  auto q = checked_query(call.params, app, store_.definitions());
  if (!q) return F{q.error()};
  const auto matched = select_records(q.value(), app, store_.records(app.id));
  const auto offset = static_cast<std::size_t>(q->offset.value_or(0));
  const auto limit = static_cast<std::size_t>(q->limit.value_or(default_limit));
  json::array records;
  for (std::size_t i = offset; i < matched.size() && i < offset + limit; ++i)
    records.push_back(render_record(app, *matched[i], fields.value()));
  json::value total = nullptr;
  if (flag_param(call.params, "totalCount")) total = json::string(std::to_string(matched.size()));
  return json::value(json::object{{"records", std::move(records)}, {"totalCount", std::move(total)}});
}

api_result kintone_api::add_cursor(const api_call& call, const app_def& app) {
  auto fields = selection(call.params, app);
  if (!fields) return F{fields.error()};
  std::int64_t size = static_cast<std::int64_t>(default_limit);
  if (int_param(call.params, "size", size) == int_state::invalid || size < 1 || size > max_limit)
    return F{errors::invalid_input(
        {{"size", {"1から500までの数値を指定してください。", "Specify a number from 1 to 500."}}})};
  auto q = checked_query(call.params, app, store_.definitions());
  if (!q) return F{q.error()};
  if (q->limit || q->offset)
    return F{errors::invalid_input({{"query",
                                     {"カーソルのクエリにはlimitとoffsetを指定できません。",
                                      "limit and offset cannot be used in the query of a cursor."}}})};
  const auto matched = select_records(q.value(), app, store_.records(app.id));
  json::array snapshot;
  for (const auto* r : matched) snapshot.push_back(render_record(app, *r, fields.value()));
  const auto total = matched.size();
  auto id = cursors_.create(app.id, std::move(snapshot), static_cast<std::size_t>(size), clock_.now_ms());
  if (!id) return F{errors::too_many_cursors()};
  return json::value(json::object{{"id", *id}, {"totalCount", std::to_string(total)}});
}

api_result kintone_api::cursor_call(const api_call& call, const principal& who, std::int64_t& app_out) {
  const auto* id = call.params.if_contains("id");
  if (!id || !id->is_string() || id->get_string().empty())
    return F{errors::invalid_input({{"id", errors::required()}})};
  const std::string cursor_id(id->get_string());
  const auto now = clock_.now_ms();
  const auto app_id = cursors_.app_of(cursor_id, now);
  if (!app_id) return F{errors::cursor_not_found()};
  const auto* app = store_.definitions().app(*app_id);
  app_out = *app_id;
  limits_.count(*app_id, now);
  if (app->guest_space != call.guest_space) return F{errors::cursor_not_found()};
  if (auto denied = authorize(who, *app, action::view)) return F{*denied};
  if (call.method == "DELETE") {
    cursors_.remove(cursor_id, now);
    return json::value(json::object{});
  }
  auto page = cursors_.read(cursor_id, now);
  return json::value(json::object{{"records", std::move(page->records)}, {"next", page->next}});
}

}  // namespace kintone_emulator
