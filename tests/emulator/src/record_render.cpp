#include "record_render.hpp"

#include <boost/json.hpp>

#include "time_format.hpp"
#include "value_codec.hpp"

namespace kizen_emulator {

namespace json = boost::json;

field_selection field_selection::defaults(const object_def& object) {
  auto s = none(object);
  for (const auto& f : object.fields) s.include[f.index] = f.is_default;
  return s;
}

json::object render_record(const store& s, const record& r, const field_selection& selection, record_shape shape) {
  const auto& object = s.definitions().objects[r.object];
  json::object fields;
  for (const auto& f : object.fields) {
    if (f.read_only() || !selection.wants(f.index)) continue;
    const auto& value = r.values[f.index];
    if (is_blank(value) && f.type != field_type::checkbox) continue;
    json::value summary;
    json::value rendered = render_value(s, object, f, value, &summary);
    if (rendered.is_null()) continue;  // e.g. a to-one whose target is archived
    if (rendered.is_array() && rendered.as_array().empty()) continue;
    json::object entry;
    entry["id"] = f.id;
    entry["name"] = f.name;
    entry["display_name"] = f.display_name;
    entry["field_type"] = to_string(f.type);
    entry["value"] = std::move(rendered);
    if (!summary.is_null()) entry["value_summary"] = std::move(summary);
    fields[f.id] = std::move(entry);
  }
  const auto name = s.display_name(r);
  json::object out;
  out["id"] = r.id;
  out["object_type"] = object.name;
  out["fields"] = std::move(fields);
  out["client_info"] =
      json::object{{"num_addresses_v2", 0}, {"display_name", name}, {"email_on_suppression_list", false}};
  out["access"] = json::object{{"view", true}, {"edit", true}, {"remove", true}};
  if (shape == record_shape::detail) {
    out["num_upcoming_activities"] = 0;
    out["num_associated_team_members"] = 0;
    out["lead_source_types"] = json::array{};
  }
  out["created"] = format_datetime(r.created_ms);
  out["updated"] = format_datetime(r.updated_ms);
  return out;
}

json::object render_state_record(const store& s, const record& r) {
  const auto& object = s.definitions().objects[r.object];
  json::object fields;
  for (const auto& f : object.fields) {
    if (f.read_only() || is_blank(r.values[f.index])) continue;
    fields[f.name] = plain_value(s, object, f, r.values[f.index]);
  }
  return json::object{{"id", r.id},
                      {"archived", r.archived},
                      {"created", format_datetime(r.created_ms)},
                      {"updated", format_datetime(r.updated_ms)},
                      {"name", s.display_name(r)},
                      {"fields", std::move(fields)}};
}

}  // namespace kizen_emulator
