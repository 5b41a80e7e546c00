#include "records_api.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <optional>

#include "pagination.hpp"
#include "record_render.hpp"
#include "search.hpp"
#include "uuid.hpp"
#include "value_codec.hpp"
#include "write_request.hpp"

namespace kizen_emulator {

namespace json = boost::json;

namespace {

// A body parsed as JSON; an empty body is null. Malformed JSON gives a 400 response.
struct body_result {
  json::value value;
  std::optional<response> error;
};

body_result parse_body(const std::string& body) {
  body_result out;
  if (body.find_first_not_of(" \t\r\n") == std::string::npos) return out;
  boost::system::error_code ec;
  out.value = json::parse(body, ec);
  if (ec) {
    // {"detail"} as DRF answers, plus the contract's ErrorResponse members so that the body also
    // matches the documented 400 schema of the write endpoints.
    const std::string message = "JSON parse error - " + ec.message();
    out.error = response::json(400, json::object{{"detail", message},
                                                 {"non_field_errors", json::array{json::value(message)}},
                                                 {"fields", json::array{}}});
  }
  return out;
}

response errors_response(const write_errors& e) { return response::json(400, e.body()); }

response non_field_error(std::string message, std::size_t entries = 0) {
  write_errors e;
  e.non_field.push_back(std::move(message));
  e.fields.resize(entries);
  return errors_response(e);
}

// The enum members of a write body (unarchive, archived_conflict, ...): null/absent -> "".
std::optional<std::string> enum_member(const json::object& body, const char* key,
                                       std::initializer_list<std::string_view> allowed, write_errors& errors) {
  const auto* v = body.if_contains(key);
  if (!v || v->is_null()) return std::string();
  if (v->is_string())
    for (auto a : allowed)
      if (v->as_string() == a) return std::string(v->as_string());
  errors.non_field.push_back(std::string(key) + ": \"" +
                             (v->is_string() ? std::string(v->as_string()) : json::serialize(*v)) +
                             "\" is not a valid choice.");
  return std::nullopt;
}

// Selection from comma-separated field_ids / field_names query parameters (field_ids wins).
std::optional<field_selection> selection_from_query(const object_def& o, const parsed_target& t) {
  const auto ids = t.param("field_ids");
  const auto names = t.param("field_names");
  if (!ids && !names) return std::nullopt;
  const std::string& list = ids ? *ids : *names;
  if (list.empty()) return field_selection::defaults(o);
  auto sel = field_selection::none(o);
  std::size_t start = 0;
  while (start <= list.size()) {
    auto end = list.find(',', start);
    if (end == std::string::npos) end = list.size();
    std::string item = list.substr(start, end - start);
    item.erase(0, item.find_first_not_of(' '));
    item.erase(item.find_last_not_of(' ') + 1);
    const field_def* f = ids ? o.field_by_id(item) : o.field_by_name(item);
    if (f) sel.include[f->index] = true;
    start = end + 1;
  }
  return sel;
}

field_selection changed_fields(const object_def& o, const std::vector<field_change>& changes) {
  auto sel = field_selection::none(o);
  for (const auto& c : changes) sel.include[c.field->index] = true;
  return sel;
}

// The archived holder of an identity gets a new identity so that a new or renamed record can
// take it (archived_conflict / oncreate_unarchive "overwrite").
std::string moved_aside(const record& r, const std::string& identity, bool email) {
  const std::string tag = "archived-" + r.id.substr(0, 8);
  if (email) {
    const auto at = identity.find('@');
    return identity.substr(0, at) + "+" + tag + identity.substr(at);
  }
  std::string base = identity.substr(0, 255 - tag.size() - 3);
  return base + " (" + tag + ")";
}

enum class conflict_policy { fail, overwrite };

struct write_plan {
  record* target = nullptr;  // nullptr: create
  std::vector<field_change> changes;
  bool replace = false;
  std::optional<std::string> identity;  // set before the changes (upsert create)
  bool unarchive = false;               // the target is archived and comes back if the write is valid
  conflict_policy archived = conflict_policy::fail;
  std::string conflict_hint;  // how to resolve an archived conflict with this endpoint
};

struct write_result {
  record* rec = nullptr;
  bool changed = false;
  std::optional<response> error;
};

write_result commit(store& s, emulator_clock& clock, const object_def& o, write_plan& plan, std::size_t entry_count) {
  write_result out;
  const std::size_t oi = s.definitions().index_of(o);
  const auto& idf = o.identity_field();
  std::vector<field_value> base = plan.target ? plan.target->values : std::vector<field_value>(o.fields.size());
  if (plan.identity) base[idf.index] = *plan.identity;
  auto values = apply_changes(base, plan.changes, plan.replace);
  if (plan.replace && plan.identity) values[idf.index] = *plan.identity;
  write_errors errors;
  errors.fields.resize(entry_count);
  const auto* identity = std::get_if<std::string>(&values[idf.index]);
  record* holder = nullptr;
  if (!identity) {
    const auto sent =
        std::find_if(plan.changes.begin(), plan.changes.end(), [&](const field_change& c) { return c.field == &idf; });
    if (sent != plan.changes.end())
      errors.fields[sent->position].value.push_back(idf.name + ": This field may not be blank.");
    else
      errors.non_field.push_back(idf.name + ": This field is required.");
  } else {
    holder = s.find_by_identity(oi, *identity);
    if (holder == plan.target) holder = nullptr;
    if (holder && !holder->archived) {
      errors.non_field.push_back("A " + o.name + " record with " + idf.name + " \"" + *identity +
                                 "\" already exists (id " + holder->id + ").");
    } else if (holder && plan.archived == conflict_policy::fail) {
      errors.non_field.push_back("An archived " + o.name + " record with " + idf.name + " \"" + *identity +
                                 "\" exists (id " + holder->id + "); " + plan.conflict_hint);
    }
  }
  if (errors.failed()) {
    out.error = errors_response(errors);
    return out;
  }
  const std::int64_t now = clock.now_ms();
  if (holder) {  // archived, moved aside by "overwrite"
    holder->values[idf.index] = moved_aside(*holder, *identity, idf.type == field_type::email);
    holder->updated_ms = now;
    s.reindex(*holder);
  }
  record* r = plan.target;
  if (!r) {
    r = &s.create(oi, now);
    out.changed = true;
  }
  commit_pending_tags(s, oi, values);
  if (values != r->values) {
    r->values = std::move(values);
    out.changed = true;
  }
  if (plan.unarchive && r->archived) {
    r->archived = false;
    out.changed = true;
  }
  if (out.changed) r->updated_ms = now;
  s.reindex(*r);
  out.rec = r;
  return out;
}

}  // namespace

records_api::records_api(store& s, emulator_clock& clock, credentials creds, std::string scheme)
    : store_(s), clock_(clock), creds_(std::move(creds)), scheme_(std::move(scheme)) {}

std::string records_api::base_url(const request& req) const {
  return scheme_ + "://" + (req.host.empty() ? std::string("localhost") : req.host);
}

response records_api::handle(const request& req, const parsed_target& t, const route& rt) {
  if (!req.api_key || !req.business_id || !req.user_id)
    return response::json(401, json::object{{"code", "missing_business_context"}});
  if (*req.api_key != creds_.api_key || *req.business_id != creds_.business_id || *req.user_id != creds_.user_id)
    return response::detail(403, "Invalid API key, business id or user id.");
  if (rt.ep == endpoint::none) return response::not_found();
  if (std::find(rt.methods.begin(), rt.methods.end(), req.method) == rt.methods.end()) {
    auto r = response::detail(405, "Method \"" + req.method + "\" not allowed.");
    std::string allow;
    for (auto m : rt.methods) allow += (allow.empty() ? "" : ", ") + std::string(m);
    r.headers.emplace_back("Allow", allow);
    return r;
  }
  current_host_ = base_url(req);
  switch (rt.ep) {
    case endpoint::field_values: return field_values(rt, t);
    case endpoint::objects: return objects(t);
    case endpoint::object_fields: return object_fields(rt, t);
    default: break;
  }
  const object_def* o = store_.definitions().object_by_name(rt.object);
  if (!o) return response::not_found();
  switch (rt.ep) {
    case endpoint::record:
      if (!is_uuid(rt.entity)) return response::not_found();
      if (req.method == "GET") return get_record(*o, rt.entity, t);
      if (req.method == "DELETE") return delete_record(*o, rt.entity);
      return write_record(*o, rt.entity, req, t, req.method == "PUT");
    case endpoint::unarchive:
      if (!is_uuid(rt.entity)) return response::not_found();
      return unarchive(*o, rt.entity);
    case endpoint::add: return add(*o, req);
    case endpoint::upsert: return upsert(*o, req, t);
    case endpoint::lookup: return lookup(*o, t);
    case endpoint::search: return search(*o, req, t);
    default: return response::not_found();
  }
}

response records_api::get_record(const object_def& o, const std::string& entity, const parsed_target& t) {
  const record* r = store_.find(store_.definitions().index_of(o), entity);
  if (!r || r->archived) return response::not_found();
  const auto sel = selection_from_query(o, t).value_or(field_selection::everything());
  return response::json(200, render_record(store_, *r, sel, record_shape::detail));
}

response records_api::write_record(const object_def& o, const std::string& entity, const request& req,
                                   const parsed_target& t, bool replace) {
  record* r = store_.find(store_.definitions().index_of(o), entity);
  if (!r || r->archived) return response::not_found();
  auto body = parse_body(req.body);
  if (body.error) return *body.error;
  if (body.value.is_null() && replace) return non_field_error("fields: This field is required.");
  if (!body.value.is_null() && !body.value.is_object())
    return non_field_error("Invalid data. Expected a dictionary, but got " +
                           std::string(json::to_string(body.value.kind())) + ".");
  json::object empty;
  const json::object& b = body.value.is_object() ? body.value.as_object() : empty;
  write_errors errors;
  const auto policy = enum_member(b, "archived_conflict", {"overwrite"}, errors);
  const auto* fields = b.if_contains("fields");
  if (replace && (!fields || fields->is_null())) errors.non_field.push_back("fields: This field is required.");
  write_plan plan;
  plan.target = r;
  plan.replace = replace;
  plan.changes = parse_field_changes(store_, o, fields, errors);
  if (errors.failed()) return errors_response(errors);
  plan.archived = policy && *policy == "overwrite" ? conflict_policy::overwrite : conflict_policy::fail;
  plan.conflict_hint = "send \"archived_conflict\": \"overwrite\" to take the value over.";
  auto result = commit(store_, clock_, o, plan, errors.fields.size());
  if (result.error) return *result.error;
  const bool all = replace || parse_flag(t.param("return_all_fields")).value_or(false);
  const auto sel = all ? field_selection::everything() : changed_fields(o, plan.changes);
  return response::json(200, render_record(store_, *result.rec, sel, record_shape::detail));
}

response records_api::delete_record(const object_def& o, const std::string& entity) {
  record* r = store_.find(store_.definitions().index_of(o), entity);
  if (!r || r->archived) return response::not_found();
  r->archived = true;
  r->updated_ms = clock_.now_ms();
  r->archived_ms = r->updated_ms;
  response res;
  res.status = 204;
  res.content_type.clear();
  return res;
}

response records_api::unarchive(const object_def& o, const std::string& entity) {
  record* r = store_.find(store_.definitions().index_of(o), entity);
  if (!r) return response::not_found();
  if (r->archived) {
    r->archived = false;
    r->updated_ms = clock_.now_ms();
  }
  return response::json(200, render_record(store_, *r, field_selection::everything(), record_shape::detail));
}

response records_api::add(const object_def& o, const request& req) {
  auto body = parse_body(req.body);
  if (body.error) return *body.error;
  if (!body.value.is_object())
    return non_field_error(body.value.is_null() ? "fields: This field is required."
                                                : "Invalid data. Expected a dictionary, but got " +
                                                      std::string(json::to_string(body.value.kind())) + ".");
  const auto& b = body.value.as_object();
  write_errors errors;
  const auto mode = enum_member(b, "unarchive", {"prompt", "unarchive", "overwrite"}, errors);
  const auto* fields = b.if_contains("fields");
  if (!fields || fields->is_null()) errors.non_field.push_back("fields: This field is required.");
  write_plan plan;
  plan.changes = parse_field_changes(store_, o, fields, errors);
  if (errors.failed()) return errors_response(errors);
  const std::size_t oi = store_.definitions().index_of(o);
  // An archived record holding the identity: unarchive it, move it aside, or refuse (prompt).
  const auto preview = apply_changes(std::vector<field_value>(o.fields.size()), plan.changes, false);
  const auto* identity = std::get_if<std::string>(&preview[o.identity_index]);
  record* holder = identity ? store_.find_by_identity(oi, *identity) : nullptr;
  if (holder && holder->archived && *mode == "unarchive") {
    plan.target = holder;
    plan.unarchive = true;
  }
  plan.archived = *mode == "overwrite" ? conflict_policy::overwrite : conflict_policy::fail;
  plan.conflict_hint = "send \"unarchive\": \"unarchive\" to restore it or \"overwrite\" to create a new record.";
  auto result = commit(store_, clock_, o, plan, errors.fields.size());
  if (result.error) return *result.error;
  return response::json(200, render_record(store_, *result.rec, field_selection::everything(), record_shape::detail));
}

response records_api::upsert(const object_def& o, const request& req, const parsed_target& t) {
  auto body = parse_body(req.body);
  if (body.error) return *body.error;
  if (!body.value.is_object())
    return non_field_error(body.value.is_null() ? "lookup_value: This field is required."
                                                : "Invalid data. Expected a dictionary, but got " +
                                                      std::string(json::to_string(body.value.kind())) + ".");
  const auto& b = body.value.as_object();
  write_errors errors;
  const auto on_create = enum_member(b, "oncreate_unarchive", {"prompt", "unarchive", "overwrite"}, errors);
  const auto on_update = enum_member(b, "onupdate_archived_conflict", {"overwrite"}, errors);
  const auto* lookup_value = b.if_contains("lookup_value");
  std::string identity;
  const auto& idf = o.identity_field();
  if (!lookup_value || lookup_value->is_null()) {
    errors.non_field.push_back("lookup_value: This field is required.");
  } else if (!lookup_value->is_string() || lookup_value->as_string().empty()) {
    errors.non_field.push_back("lookup_value: Must be a non-empty string.");
  } else {
    // Matching ignores surrounding spaces (as lookup does), so validation does too.
    std::string trimmed(lookup_value->as_string());
    trimmed.erase(0, trimmed.find_first_not_of(" \t\r\n"));
    trimmed.erase(trimmed.find_last_not_of(" \t\r\n") + 1);
    auto checked = parse_write_value(store_, o, idf, json::value(trimmed));
    if (!checked || !std::holds_alternative<std::string>(checked.value()))
      errors.non_field.push_back("lookup_value: " +
                                 (checked ? std::string("This field may not be blank.") : checked.error()));
    else
      identity = std::get<std::string>(checked.value());
  }
  write_plan plan;
  plan.changes = parse_field_changes(store_, o, b.if_contains("fields"), errors);
  if (errors.failed()) return errors_response(errors);
  const std::size_t oi = store_.definitions().index_of(o);
  record* match = store_.find_by_identity(oi, identity);
  std::string action;
  int status = 200;
  bool include_identity = false;
  if (match && !match->archived) {
    action = "updated";
    plan.target = match;
    plan.archived = *on_update == "overwrite" ? conflict_policy::overwrite : conflict_policy::fail;
    plan.conflict_hint = "send \"onupdate_archived_conflict\": \"overwrite\" to take the value over.";
  } else if (match && *on_create == "unarchive") {
    action = "unarchived";
    plan.target = match;
    plan.unarchive = true;
    plan.archived = *on_update == "overwrite" ? conflict_policy::overwrite : conflict_policy::fail;
    plan.conflict_hint = "send \"onupdate_archived_conflict\": \"overwrite\" to take the value over.";
  } else if (match && *on_create != "overwrite") {
    write_errors conflict;
    conflict.fields.resize(errors.fields.size());
    conflict.non_field.push_back(
        "An archived " + o.name + " record with " + idf.name + " \"" + identity + "\" exists (id " + match->id +
        "); send \"oncreate_unarchive\": \"unarchive\" to restore it or \"overwrite\" to create a new record.");
    return errors_response(conflict);
  } else {
    action = "created";
    status = 201;
    plan.identity = identity;
    plan.archived = *on_create == "overwrite" ? conflict_policy::overwrite : conflict_policy::fail;
    plan.conflict_hint = "send \"onupdate_archived_conflict\": \"overwrite\" to take the value over.";
    include_identity = true;
  }
  auto result = commit(store_, clock_, o, plan, errors.fields.size());
  if (result.error) return *result.error;
  const bool all = parse_flag(t.param("return_all_fields")).value_or(false);
  auto sel = all ? field_selection::everything() : changed_fields(o, plan.changes);
  if (!all && include_identity) sel.include[idf.index] = true;
  auto out = render_record(store_, *result.rec, sel, record_shape::detail);
  out["action"] = action;
  return response::json(status, out);
}

response records_api::lookup(const object_def& o, const parsed_target& t) {
  const auto identifier = t.param("identifier");
  if (!identifier) return response::json(400, json::object{{"identifier", json::array{"This field is required."}}});
  record* r = store_.find_by_identity(store_.definitions().index_of(o), *identifier);
  if (!r || r->archived || normalize_identity(*identifier).empty()) return response::not_found();
  field_selection sel = field_selection::defaults(o);
  if (parse_flag(t.param("all_fields")).value_or(false))
    sel = field_selection::everything();
  else if (auto q = selection_from_query(o, t))
    sel = *q;
  return response::json(200, render_record(store_, *r, sel, record_shape::detail));
}

response records_api::search(const object_def& o, const request& req, const parsed_target& t) {
  auto body = parse_body(req.body);
  if (body.error) return *body.error;
  auto plan = parse_search(store_, o, &body.value, t.param("ordering").value_or(""), t.param("search").value_or(""));
  if (!plan) return response::detail(400, plan.error());
  if (search_lag_ms_ > 0) plan->visible_until_ms = clock_.now_ms() - search_lag_ms_;
  auto found = find_hits(store_, store_.definitions().index_of(o), plan.value());
  auto window = page_for(t, found.size());
  if (!window) return response::detail(404, window.error());
  const auto hits = found.first(window->last);
  json::array results;
  for (std::size_t i = window->first; i < window->last; ++i)
    results.push_back(render_record(store_, *hits[i], plan->selection, record_shape::list));
  return response::json(200, page_envelope(found.size(), window.value(), current_host_, t, std::move(results)));
}

}  // namespace kizen_emulator
