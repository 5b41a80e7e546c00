#include "connectors/kizen/request_builder.hpp"

#include "common/enum_names.hpp"
#include "common/uuid_text.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/grammar/lut_chars.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <boost/url/url.hpp>
#include <initializer_list>

namespace ks::kizen {

namespace json = boost::json;
namespace urls = boost::urls;

const char* to_string(http_method m) {
  static constexpr const char* names[] = {"GET", "POST", "PUT", "PATCH", "DELETE"};  // in the enum's order
  return enum_name(m, names, "GET");
}

namespace {

using built = request_builder::built;
using query_param = std::pair<std::string_view, std::string>;

// Characters left as they are in query keys and values: the unreserved ones and the few
// sub-delimiters no server reads specially. '&', '=', '+' (a space to form decoders such as
// Django's), '#', '%' and everything else are percent-encoded.
constexpr urls::grammar::lut_chars query_chars = urls::unreserved_chars + urls::grammar::lut_chars("!$'()*,;:@/?");

// Path segments are percent-encoded one by one, so a '/' or '?' in an object name cannot
// change the path's shape.
std::string make_target(std::initializer_list<std::string_view> segments, const std::vector<query_param>& params = {}) {
  urls::url u;
  u.set_path_absolute(true);
  for (auto seg : segments) u.segments().push_back(seg);
  std::string target(u.encoded_path());
  for (std::size_t i = 0; i < params.size(); ++i) {
    target += i == 0 ? '?' : '&';
    target += urls::encode(params[i].first, query_chars);
    target += '=';
    target += urls::encode(params[i].second, query_chars);
  }
  return target;
}

std::optional<std::string> check_object(std::string_view object) {
  if (object.empty()) return "object: must not be empty";
  return std::nullopt;
}

std::optional<std::string> check_uuid(std::string_view what, std::string_view id) {
  if (!is_uuid(id)) return std::string(what) + ": '" + std::string(id) + "' is not a UUID";
  return std::nullopt;
}

std::optional<std::string> check_positive(std::string_view what, std::optional<int> n) {
  if (n && *n < 1) return std::string(what) + ": must be at least 1, got " + std::to_string(*n);
  return std::nullopt;
}

result<std::string, std::string> join_field_names(const std::vector<std::string>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i].empty()) return fail("field_names[" + std::to_string(i) + "]: must not be empty");
    if (names[i].find(',') != std::string::npos)
      return fail("field_names[" + std::to_string(i) + "]: '" + names[i] + "' contains a comma");
    if (i) out += ',';
    out += names[i];
  }
  return out;
}

result<json::array, std::string> fields_array(const std::vector<field_write>& writes) {
  json::array out;
  out.reserve(writes.size());
  for (std::size_t i = 0; i < writes.size(); ++i) {
    const auto& w = writes[i];
    const std::string where = "writes[" + std::to_string(i) + "]";
    if (w.field.empty()) return fail(where + ": field name/id must not be empty");
    if (w.key == field_write::key_kind::id && !is_uuid(w.field))
      return fail(where + ": field id '" + w.field + "' is not a UUID");
    const bool multi = w.add_values || w.remove_values;
    if (w.value && multi)
      return fail(where + " (" + w.field + "): value cannot be combined with add_values/remove_values");
    if (!w.value && !multi) return fail(where + " (" + w.field + "): needs a value, add_values or remove_values");
    json::object entry;
    entry[w.key == field_write::key_kind::id ? "id" : "name"] = w.field;
    if (w.value) entry["value"] = *w.value;
    if (w.add_values) entry["add_values"] = *w.add_values;
    if (w.remove_values) entry["remove_values"] = *w.remove_values;
    out.emplace_back(std::move(entry));
  }
  return out;
}

const char* unarchive_name(unarchive_mode m) {
  switch (m) {
    case unarchive_mode::prompt: return "prompt";
    case unarchive_mode::unarchive: return "unarchive";
    case unarchive_mode::overwrite: return "overwrite";
    case unarchive_mode::server_default: break;
  }
  return nullptr;
}

built write_request(http_method method, std::string_view object, std::string_view entity_id,
                    const std::vector<field_write>& writes, bool return_all_fields, bool overwrite_archived_conflict) {
  if (auto e = check_object(object)) return fail(*e);
  if (auto e = check_uuid("entity_id", entity_id)) return fail(*e);
  auto fields = fields_array(writes);
  if (!fields) return fail(fields.error());
  json::object body;
  body["fields"] = std::move(*fields);
  if (overwrite_archived_conflict) body["archived_conflict"] = "overwrite";
  std::vector<query_param> params;
  if (return_all_fields) params.emplace_back("return_all_fields", "true");
  return api_request{method, make_target({"api", "records", object, entity_id}, params), "/api/records/{object}/{id}",
                     json::serialize(body)};
}

}  // namespace

built request_builder::get_record(std::string_view object, std::string_view entity_id,
                                  const std::vector<std::string>& field_names) {
  if (auto e = check_object(object)) return fail(*e);
  if (auto e = check_uuid("entity_id", entity_id)) return fail(*e);
  std::vector<query_param> params;
  if (!field_names.empty()) {
    auto joined = join_field_names(field_names);
    if (!joined) return fail(joined.error());
    params.emplace_back("field_names", std::move(*joined));
  }
  return api_request{http_method::get, make_target({"api", "records", object, entity_id}, params),
                     "/api/records/{object}/{id}", std::nullopt};
}

built request_builder::patch_record(std::string_view object, std::string_view entity_id,
                                    const std::vector<field_write>& writes, bool return_all_fields,
                                    bool overwrite_archived_conflict) {
  return write_request(http_method::patch, object, entity_id, writes, return_all_fields, overwrite_archived_conflict);
}

built request_builder::put_record(std::string_view object, std::string_view entity_id,
                                  const std::vector<field_write>& writes, bool overwrite_archived_conflict) {
  return write_request(http_method::put, object, entity_id, writes, false, overwrite_archived_conflict);
}

built request_builder::add_record(std::string_view object, const std::vector<field_write>& writes,
                                  unarchive_mode unarchive) {
  if (auto e = check_object(object)) return fail(*e);
  auto fields = fields_array(writes);
  if (!fields) return fail(fields.error());
  json::object body;
  body["fields"] = std::move(*fields);
  if (const char* u = unarchive_name(unarchive)) body["unarchive"] = u;
  return api_request{http_method::post, make_target({"api", "records", object, "add"}), "/api/records/{object}/add",
                     json::serialize(body)};
}

built request_builder::upsert_record(std::string_view object, std::string_view lookup_value,
                                     const std::vector<field_write>& writes, const upsert_options& options) {
  if (auto e = check_object(object)) return fail(*e);
  if (lookup_value.empty()) return fail(std::string("lookup_value: must not be empty"));
  auto fields = fields_array(writes);
  if (!fields) return fail(fields.error());
  json::object body;
  body["lookup_value"] = lookup_value;
  body["fields"] = std::move(*fields);
  if (const char* u = unarchive_name(options.oncreate_unarchive)) body["oncreate_unarchive"] = u;
  if (options.overwrite_archived_conflict) body["onupdate_archived_conflict"] = "overwrite";
  std::vector<query_param> params;
  if (options.return_all_fields) params.emplace_back("return_all_fields", "true");
  return api_request{http_method::post, make_target({"api", "records", object, "upsert"}, params),
                     "/api/records/{object}/upsert", json::serialize(body)};
}

built request_builder::lookup_record(std::string_view object, std::string_view identifier,
                                     const std::vector<std::string>& field_names, bool all_fields) {
  if (auto e = check_object(object)) return fail(*e);
  if (identifier.empty()) return fail(std::string("identifier: must not be empty"));
  std::vector<query_param> params{{"identifier", std::string(identifier)}};
  if (!field_names.empty()) {
    auto joined = join_field_names(field_names);
    if (!joined) return fail(joined.error());
    params.emplace_back("field_names", std::move(*joined));
  }
  if (all_fields) params.emplace_back("all_fields", "true");
  return api_request{http_method::get, make_target({"api", "records", object, "lookup"}, params),
                     "/api/records/{object}/lookup", std::nullopt};
}

namespace {

result<json::object, std::string> group_json(const filter_group& group, const std::string& where, int depth) {
  if (depth > max_group_depth)
    return fail(where + ": groups nested deeper than " + std::to_string(max_group_depth) + " levels");
  json::array filters;
  for (std::size_t i = 0; i < group.filters.size(); ++i) {
    const std::string at = where + ".filters[" + std::to_string(i) + "]";
    if (const auto* nested = std::get_if<filter_group>(&group.filters[i])) {
      auto sub = group_json(*nested, at, depth + 1);
      if (!sub) return fail(sub.error());
      filters.emplace_back(std::move(*sub));
      continue;
    }
    const auto& f = std::get<search_filter>(group.filters[i]);
    if (f.field.empty()) return fail(at + ": field must not be empty");
    if (f.condition.empty()) return fail(at + " (" + f.field + "): condition must not be empty");
    if (f.custom && !is_uuid(f.field)) return fail(at + ": a custom field is named by its UUID, not '" + f.field + "'");
    json::object filter;
    if (f.custom) {
      filter["type"] = "fields_v2";
      filter["subtype"] = "custom";
      filter["field"] = "\"custom\"::" + f.field;
    } else {
      filter["type"] = "fields";
      filter["subtype"] = "non_custom";
      filter["field"] = f.field;
    }
    filter["condition"] = f.condition;
    if (f.value) filter["value"] = *f.value;
    filters.emplace_back(std::move(filter));
  }
  json::object entry;
  entry["and"] = group.all;
  entry["filters"] = std::move(filters);
  return entry;
}

}  // namespace

result<std::string, std::string> request_builder::search_body(const search_query& query) {
  json::object body;
  if (!query.groups.empty()) {
    json::array groups;
    for (std::size_t g = 0; g < query.groups.size(); ++g) {
      auto group = group_json(query.groups[g], "query.groups[" + std::to_string(g) + "]", 1);
      if (!group) return fail(group.error());
      groups.emplace_back(std::move(*group));
    }
    body["query"] = std::move(groups);
  }
  body["and"] = query.all_groups;
  if (!query.field_names.empty()) {
    json::array names;
    for (std::size_t i = 0; i < query.field_names.size(); ++i) {
      if (query.field_names[i].empty()) return fail("field_names[" + std::to_string(i) + "]: must not be empty");
      names.emplace_back(query.field_names[i]);
    }
    body["field_names"] = std::move(names);
  }
  return json::serialize(body);
}

built request_builder::search_records(std::string_view object, const search_query& query, std::optional<int> page) {
  if (auto e = check_object(object)) return fail(*e);
  if (auto e = check_positive("page", page)) return fail(*e);
  if (auto e = check_positive("page_size", query.page_size)) return fail(*e);
  auto body = search_body(query);
  if (!body) return fail(body.error());
  std::vector<query_param> params;
  if (page) params.emplace_back("page", std::to_string(*page));
  if (query.page_size) params.emplace_back("page_size", std::to_string(*query.page_size));
  if (!query.ordering.empty()) params.emplace_back("ordering", query.ordering);
  if (!query.search.empty()) params.emplace_back("search", query.search);
  return api_request{http_method::post, make_target({"api", "records", object, "search"}, params),
                     "/api/records/{object}/search", std::move(*body)};
}

built request_builder::archive_record(std::string_view object, std::string_view entity_id) {
  if (auto e = check_object(object)) return fail(*e);
  if (auto e = check_uuid("entity_id", entity_id)) return fail(*e);
  return api_request{http_method::delete_, make_target({"api", "records", object, entity_id}),
                     "/api/records/{object}/{id}", std::nullopt};
}

built request_builder::unarchive_record(std::string_view object, std::string_view entity_id) {
  if (auto e = check_object(object)) return fail(*e);
  if (auto e = check_uuid("entity_id", entity_id)) return fail(*e);
  return api_request{http_method::patch, make_target({"api", "records", object, entity_id, "unarchive"}),
                     "/api/records/{object}/{id}/unarchive", std::nullopt};
}

built request_builder::field_values(std::string_view entity_id, std::string_view field_id, std::optional<int> page,
                                    std::optional<int> page_size, std::string_view search) {
  if (auto e = check_uuid("entity_id", entity_id)) return fail(*e);
  if (auto e = check_uuid("field_id", field_id)) return fail(*e);
  if (auto e = check_positive("page", page)) return fail(*e);
  if (auto e = check_positive("page_size", page_size)) return fail(*e);
  std::vector<query_param> params;
  if (page) params.emplace_back("page", std::to_string(*page));
  if (page_size) params.emplace_back("page_size", std::to_string(*page_size));
  if (!search.empty()) params.emplace_back("search", std::string(search));
  return api_request{http_method::get, make_target({"api", "records", entity_id, "field-values", field_id}, params),
                     "/api/records/{entity_id}/field-values/{field_id}", std::nullopt};
}

built request_builder::list_objects(std::optional<int> page, std::optional<int> page_size) {
  if (auto e = check_positive("page", page)) return fail(*e);
  if (auto e = check_positive("page_size", page_size)) return fail(*e);
  std::vector<query_param> params{{"custom_only", "false"}};
  if (page) params.emplace_back("page", std::to_string(*page));
  if (page_size) params.emplace_back("page_size", std::to_string(*page_size));
  return api_request{http_method::get, make_target({"api", "custom-objects"}, params), "/api/custom-objects",
                     std::nullopt};
}

built request_builder::list_fields(std::string_view object_uuid, std::optional<int> page_size) {
  if (auto e = check_uuid("object_uuid", object_uuid)) return fail(*e);
  if (auto e = check_positive("page_size", page_size)) return fail(*e);
  std::vector<query_param> params;
  if (page_size) params.emplace_back("page_size", std::to_string(*page_size));
  return api_request{http_method::get,
                     make_target({"api", "custom-objects", object_uuid, "fields", "settings-search"}, params),
                     "/api/custom-objects/{object_id}/fields/settings-search", std::nullopt};
}

}  // namespace ks::kizen
