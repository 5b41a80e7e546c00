#include "write_request.hpp"

#include <algorithm>
#include <boost/json.hpp>

#include "uuid.hpp"
#include "value_codec.hpp"

namespace kizen_emulator {

namespace json = boost::json;

namespace {

json::array strings(const std::vector<std::string>& list) {
  json::array out;
  for (const auto& s : list) out.push_back(json::value(s));
  return out;
}

std::string prefixed(const field_def* f, const std::string& message) { return f ? f->name + ": " + message : message; }

}  // namespace

bool write_errors::failed() const {
  if (!non_field.empty()) return true;
  return std::any_of(fields.begin(), fields.end(), [](const field_errors& e) { return !e.empty(); });
}

json::object write_errors::body() const {
  json::object out;
  out["non_field_errors"] = strings(non_field);
  json::array list;
  for (const auto& e : fields) {
    json::object item;
    if (!e.id.empty()) item["id"] = strings(e.id);
    if (!e.name.empty()) item["name"] = strings(e.name);
    item["value"] = strings(e.value);
    item["add_values"] = strings(e.add_values);
    item["remove_values"] = strings(e.remove_values);
    list.push_back(std::move(item));
  }
  out["fields"] = std::move(list);
  return out;
}

std::vector<field_change> parse_field_changes(const store& s, const object_def& object, const json::value* fields,
                                              write_errors& errors) {
  std::vector<field_change> changes;
  if (!fields || fields->is_null()) return changes;
  if (!fields->is_array()) {
    errors.non_field.push_back("fields: Expected a list of items but got type \"" +
                               std::string(to_string(fields->kind())) + "\".");
    return changes;
  }
  const auto& list = fields->as_array();
  errors.fields.assign(list.size(), {});
  std::vector<std::size_t> seen;
  for (std::size_t i = 0; i < list.size(); ++i) {
    auto& err = errors.fields[i];
    if (!list[i].is_object()) {
      err.name.push_back(
          "Expected an object with \"name\" or \"id\", and \"value\" or \"add_values\"/\"remove_values\".");
      continue;
    }
    const auto& entry = list[i].as_object();
    const auto* id = entry.if_contains("id");
    const auto* name = entry.if_contains("name");
    const field_def* field = nullptr;
    if (id && !id->is_null()) {
      if (!id->is_string() || !is_uuid(id->as_string())) {
        err.id.push_back("Must be a valid UUID.");
        continue;
      }
      field = object.field_by_id(id->as_string());
      if (!field) {
        err.id.push_back("Field with id \"" + std::string(id->as_string()) + "\" does not exist on object \"" +
                         object.name + "\".");
        continue;
      }
    }
    if (name && !name->is_null()) {
      if (!name->is_string() || name->as_string().empty()) {
        err.name.push_back("Must be a non-empty string.");
        continue;
      }
      const field_def* by_name = object.field_by_name(name->as_string());
      if (!by_name) {
        err.name.push_back("Field \"" + std::string(name->as_string()) + "\" does not exist on object \"" +
                           object.name + "\".");
        continue;
      }
      if (field && field != by_name) {
        err.name.push_back("Field \"" + std::string(name->as_string()) + "\" is not the field with id \"" + field->id +
                           "\".");
        continue;
      }
      field = by_name;
    }
    if (!field) {
      err.name.push_back("Either \"name\" or \"id\" is required.");
      continue;
    }
    if (std::find(seen.begin(), seen.end(), field->index) != seen.end()) {
      err.name.push_back(prefixed(field, "This field is given more than once."));
      continue;
    }
    seen.push_back(field->index);
    if (field->read_only()) {
      err.value.push_back(prefixed(field, "This field is read-only."));
      continue;
    }
    const auto* value = entry.if_contains("value");
    const auto* add = entry.if_contains("add_values");
    const auto* remove = entry.if_contains("remove_values");
    const bool has_add = add && !add->is_null();
    const bool has_remove = remove && !remove->is_null();
    field_change change;
    change.field = field;
    change.position = i;
    const bool list_ops = field->multi_value() || field->to_many();
    if (field->multi_value() && value) {
      err.value.push_back(
          prefixed(field, "This field allows multiple values: use add_values and remove_values, not value."));
      continue;
    }
    if (!list_ops && (has_add || has_remove)) {
      auto& where = has_add ? err.add_values : err.remove_values;
      where.push_back(prefixed(field, std::string("This field takes a single value: use value, not ") +
                                          (has_add ? "add_values." : "remove_values.")));
      continue;
    }
    if (value && (has_add || has_remove)) {
      err.value.push_back(prefixed(field, "Give either value or add_values/remove_values, not both."));
      continue;
    }
    if (!value && !has_add && !has_remove) {
      if (field->multi_value())
        err.add_values.push_back(prefixed(field, "add_values or remove_values is required."));
      else
        err.value.push_back(prefixed(field, "This field is required."));
      continue;
    }
    if (value) {
      auto parsed = parse_write_value(s, object, *field, *value);
      if (!parsed) {
        err.value.push_back(prefixed(field, parsed.error()));
        continue;
      }
      change.has_value = true;
      change.value = std::move(parsed).value();
    }
    auto parse_list = [&](const json::value* v, bool adding, std::vector<std::string>& where,
                          std::vector<std::string>& out) {
      if (!v || v->is_null()) return;
      if (!v->is_array()) {
        where.push_back(prefixed(field, "Expected a list of items."));
        return;
      }
      for (const auto& item : v->as_array()) {
        auto id = parse_list_item(s, object, *field, item, adding);
        if (!id) {
          where.push_back(prefixed(field, id.error()));
          return;
        }
        if (!id.value().empty()) out.push_back(std::move(id).value());
      }
    };
    parse_list(add, true, err.add_values, change.add);
    parse_list(remove, false, err.remove_values, change.remove);
    if (!err.empty()) continue;
    changes.push_back(std::move(change));
  }
  return changes;
}

std::vector<field_value> apply_changes(const std::vector<field_value>& current,
                                       const std::vector<field_change>& changes, bool replace) {
  std::vector<field_value> values = replace ? std::vector<field_value>(current.size()) : current;
  for (const auto& c : changes) {
    auto& slot = values[c.field->index];
    if (c.has_value) {
      slot = is_blank(c.value) ? field_value{} : c.value;
      continue;
    }
    std::vector<std::string> list;
    if (auto* existing = std::get_if<std::vector<std::string>>(&slot)) list = *existing;
    for (const auto& id : c.add)
      if (std::find(list.begin(), list.end(), id) == list.end()) list.push_back(id);
    for (const auto& id : c.remove) list.erase(std::remove(list.begin(), list.end(), id), list.end());
    if (list.empty())
      slot = field_value{};
    else
      slot = std::move(list);
  }
  return values;
}

}  // namespace kizen_emulator
