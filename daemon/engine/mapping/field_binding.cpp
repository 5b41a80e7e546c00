#include "daemon/engine/mapping/field_binding.hpp"

#include "config/connector_settings.hpp"

#include <algorithm>

namespace ks::engine {

const char* to_string(value_kind k) {
  switch (k) {
    case value_kind::text: return "text";
    case value_kind::integer: return "integer";
    case value_kind::decimal: return "decimal";
    case value_kind::boolean: return "boolean";
    case value_kind::date: return "date";
    case value_kind::datetime: return "datetime";
    case value_kind::option: return "option";
    case value_kind::options: return "options";
    case value_kind::relationship_one: return "relationship (to one)";
    case value_kind::relationship_many: return "relationship (to many)";
  }
  return "?";
}

bool is_multi_value(value_kind k) { return k == value_kind::options || k == value_kind::relationship_many; }

bool field_binding::sends() const { return mapping->direction != config::sync_direction::from_kizen; }
bool field_binding::receives() const { return mapping->direction != config::sync_direction::to_kizen; }

const field_binding* object_binding::for_column(const std::string& column) const {
  for (const auto& f : fields)
    if (f.mapping->column == column) return &f;
  return nullptr;
}

const field_binding* object_binding::for_field(const std::string& field_name) const {
  for (const auto& f : fields)
    if (f.field.name == field_name) return &f;
  return nullptr;
}

std::string binding_problem::to_string() const {
  std::string out = where.file.empty() ? std::string("config") : where.file;
  if (where.line > 0) out += ":" + std::to_string(where.line) + ":" + std::to_string(where.column);
  return out + ": " + message;
}

std::optional<value_kind> kind_of_type(const std::string& t, bool to_many) {
  if (t == "text" || t == "email" || t == "longtext" || t == "phonenumber" || t == "wysiwyg" || t == "timezone")
    return value_kind::text;
  if (t == "integer" || t == "rating") return value_kind::integer;
  if (t == "decimal" || t == "money") return value_kind::decimal;
  if (t == "checkbox") return value_kind::boolean;
  if (t == "date") return value_kind::date;
  if (t == "datetime") return value_kind::datetime;
  if (t == "dropdown" || t == "radio" || t == "status" || t == "yesnomaybe") return value_kind::option;
  if (t == "checkboxes" || t == "dynamictags") return value_kind::options;
  if (t == "relationship") return to_many ? value_kind::relationship_many : value_kind::relationship_one;
  return std::nullopt;  // files, selector, team_selector, choices: not carried
}

namespace {

const kizen_field* find_field(const std::vector<kizen_field>& fields, const std::string& name) {
  const auto it = std::find_if(fields.begin(), fields.end(), [&](const kizen_field& f) { return f.name == name; });
  return it == fields.end() ? nullptr : &*it;
}

}  // namespace

ks::result<object_binding, std::vector<binding_problem>> bind_object(const config::object_mapping& mapping,
                                                                     std::string object_uuid,
                                                                     const std::vector<kizen_field>& kizen_fields) {
  std::vector<binding_problem> problems;
  object_binding out;
  out.mapping = &mapping;
  out.table = config::table_mapping_of(mapping);
  out.object_uuid = std::move(object_uuid);
  const std::string object_name = "object '" + mapping.object + "'";

  for (const auto& fm : mapping.fields) {
    const kizen_field* kf = find_field(kizen_fields, fm.field);
    if (kf == nullptr) {
      problems.push_back(
          {fm.where, object_name + ": Kizen has no field '" + fm.field + "' (column '" + fm.column + "')"});
      continue;
    }
    field_binding b{&fm, *kf, value_kind::text};
    if (fm.type) b.field.type = *fm.type;  // explicit override wins over metadata
    const bool relationship = b.field.type == "relationship";
    bool to_many = fm.multi;
    if (relationship && kf->to_many.has_value()) {
      if (fm.multi && !*kf->to_many) {
        problems.push_back({fm.where, object_name + ": field '" + fm.field +
                                          "' relates to one record in Kizen, but the mapping says multi: true"});
        continue;
      }
      to_many = *kf->to_many;
    }
    const auto kind = kind_of_type(b.field.type, to_many);
    if (!kind) {
      problems.push_back({fm.where, object_name + ": field '" + fm.field + "' has type '" + b.field.type +
                                        "', which kizen-sync cannot carry"});
      continue;
    }
    if (fm.multi && !is_multi_value(*kind)) {
      problems.push_back({fm.where, object_name + ": field '" + fm.field + "' (" + b.field.type +
                                        ") holds one value, but the mapping says multi: true"});
      continue;
    }
    if (relationship != fm.references.has_value()) {
      problems.push_back({fm.where, relationship ? object_name + ": field '" + fm.field +
                                                       "' is a relationship; the mapping needs `references: <object>`"
                                                 : object_name + ": field '" + fm.field + "' (" + b.field.type +
                                                       ") is not a relationship, so it cannot have `references`"});
      continue;
    }
    if (relationship && kf->related_object && fm.references && *kf->related_object != *fm.references) {
      problems.push_back({fm.where, object_name + ": field '" + fm.field + "' relates to '" + *kf->related_object +
                                        "' in Kizen, but the mapping references '" + *fm.references + "'"});
      continue;
    }
    b.kind = *kind;
    out.fields.push_back(std::move(b));
  }

  auto resolve_named = [&](const std::optional<std::string>& name, const char* what, std::optional<kizen_field>& slot) {
    if (!name) return;
    if (const kizen_field* kf = find_field(kizen_fields, *name)) {
      slot = *kf;
    } else {
      problems.push_back(
          {mapping.where, object_name + ": " + what + " '" + *name + "' is not a field of the object in Kizen"});
    }
  };
  resolve_named(mapping.match_field, "match_field", out.match_field);
  resolve_named(mapping.key_field, "key_field", out.key_field);

  if (!problems.empty()) return ks::fail(std::move(problems));
  return out;
}

}  // namespace ks::engine
