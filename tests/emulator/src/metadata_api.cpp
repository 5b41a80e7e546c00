// The /api/ endpoints that describe rather than change records: a relationship's full value list,
// the object list and an object's fields (records_api's metadata part).
#include "records_api.hpp"

#include <boost/json.hpp>

#include "pagination.hpp"
#include "record_render.hpp"
#include "value_codec.hpp"

namespace kizen_emulator {

namespace json = boost::json;

response records_api::field_values(const route& rt, const parsed_target& t) {
  if (!is_uuid(rt.entity) || !is_uuid(rt.field)) return response::not_found();
  const record* r = store_.find_any(rt.entity);
  if (!r || r->archived) return response::not_found();
  const auto& o = store_.definitions().objects[r->object];
  const field_def* f = o.field_by_id(rt.field);
  if (!f) return response::not_found();
  if (f->type != field_type::relationship)
    return response::detail(400, "Field \"" + f->name + "\" is not a relationship field.");
  auto targets = live_targets(store_, *f, r->values[f->index]);
  const auto& target_object = store_.definitions().objects[f->target_object];
  const bool contacts = target_object.is_contacts();
  if (const auto term = t.param("search"); term && !term->empty()) {
    const auto needle = normalize_identity(*term);
    std::erase_if(targets, [&](const record* x) {
      const bool in_name = normalize_identity(store_.display_name(*x)).find(needle) != std::string::npos;
      const bool in_email =
          contacts && normalize_identity(store_.text_value(*x, "email")).find(needle) != std::string::npos;
      return !in_name && !in_email;
    });
  }
  auto window = page_for(t, targets.size());
  if (!window) return response::detail(404, window.error());
  json::array results;
  for (std::size_t i = window->first; i < window->last; ++i) {
    const record& x = *targets[i];
    const auto name = store_.display_name(x);
    if (contacts) {
      const auto first = store_.text_value(x, "first_name");
      const auto last = store_.text_value(x, "last_name");
      std::string full = first + (first.empty() || last.empty() ? "" : " ") + last;
      results.push_back(json::object{{"id", x.id},
                                     {"first_name", first},
                                     {"last_name", last},
                                     {"full_name", full},
                                     {"email", store_.text_value(x, "email")},
                                     {"display_name", name}});
    } else {
      results.push_back(json::object{{"id", x.id}, {"name", name}, {"display_name", name}});
    }
  }
  return response::json(200, page_envelope(targets.size(), window.value(), current_host_, t, std::move(results)));
}

response records_api::objects(const parsed_target& t) {
  const bool custom_only = parse_flag(t.param("custom_only")).value_or(true);
  std::vector<const object_def*> list;
  for (const auto& o : store_.definitions().objects)
    if (!(custom_only && o.is_contacts())) list.push_back(&o);
  auto window = page_for(t, list.size());
  if (!window) return response::detail(404, window.error());
  json::array results;
  for (std::size_t i = window->first; i < window->last; ++i) {
    const auto& o = *list[i];
    results.push_back(json::object{{"id", o.id},
                                   {"name", o.name},
                                   {"object_name", o.display_name},
                                   {"display_name", o.display_name},
                                   {"entity_name", o.entity_name},
                                   {"is_custom", !o.is_contacts()},
                                   {"identity_field", o.identity}});
  }
  return response::json(200, page_envelope(list.size(), window.value(), current_host_, t, std::move(results)));
}

response records_api::object_fields(const route& rt, const parsed_target& t) {
  const object_def* o = store_.definitions().object_by_id(rt.object);
  if (!o) return response::not_found();
  const std::size_t oi = store_.definitions().index_of(*o);
  std::vector<const field_def*> list;
  const auto term = normalize_identity(t.param("search").value_or(""));
  for (const auto& f : o->fields)
    if (term.empty() || normalize_identity(f.name).find(term) != std::string::npos ||
        normalize_identity(f.display_name).find(term) != std::string::npos)
      list.push_back(&f);
  auto window = page_for(t, list.size());
  if (!window) return response::detail(404, window.error());
  json::array results;
  for (std::size_t i = window->first; i < window->last; ++i) {
    const auto& f = *list[i];
    json::object item{{"id", f.id},
                      {"name", f.name},
                      {"display_name", f.display_name},
                      {"field_type", to_string(f.type)},
                      {"is_default", f.is_default},
                      {"is_required", f.index == o->identity_index},
                      {"is_read_only", f.read_only()},
                      {"allows_multiple", f.multi_value() || f.to_many()}};
    if (f.type == field_type::dropdown || f.type == field_type::dynamictags) {
      json::array options;
      for (const auto& opt : store_.options(oi, f.index))
        options.push_back(json::object{{"id", opt.id}, {"name", opt.name}});
      item["options"] = std::move(options);
    }
    if (f.type == field_type::relationship) {
      const auto& target = store_.definitions().objects[f.target_object];
      item["relation"] = json::object{{"related_object", json::object{{"id", target.id}, {"name", target.name}}},
                                      {"cardinality", f.card == cardinality::to_one ? "many_to_one" : "many_to_many"}};
    }
    results.push_back(std::move(item));
  }
  return response::json(200, page_envelope(list.size(), window.value(), current_host_, t, std::move(results)));
}

}  // namespace kizen_emulator
