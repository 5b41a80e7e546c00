#include "schema.hpp"

#include <yaml-cpp/yaml.h>
#include <fstream>
#include <set>
#include <sstream>

#include "uuid.hpp"

namespace kizen_emulator {

namespace {

constexpr std::pair<field_type, std::string_view> type_names[] = {
    {field_type::text, "text"},
    {field_type::email, "email"},
    {field_type::integer, "integer"},
    {field_type::decimal, "decimal"},
    {field_type::money, "money"},
    {field_type::checkbox, "checkbox"},
    {field_type::date, "date"},
    {field_type::datetime, "datetime"},
    {field_type::dropdown, "dropdown"},
    {field_type::dynamictags, "dynamictags"},
    {field_type::relationship, "relationship"},
};

struct schema_error {
  std::string message;
};

std::string where(const YAML::Node& node, const std::string& path) {
  const auto mark = node.Mark();
  if (mark.line < 0) return path;
  return path + " (line " + std::to_string(mark.line + 1) + ")";
}

[[noreturn]] void bad(const YAML::Node& node, const std::string& path, const std::string& what) {
  throw schema_error{where(node, path) + ": " + what};
}

std::string scalar(const YAML::Node& parent, const char* key, const std::string& path, bool required = true) {
  const auto node = parent[key];
  if (!node) {
    if (required) bad(parent, path, std::string("missing key '") + key + "'");
    return {};
  }
  if (!node.IsScalar()) bad(node, path + "." + key, "expected a scalar");
  return node.as<std::string>();
}

void check_keys(const YAML::Node& node, const std::string& path, std::set<std::string> allowed) {
  for (const auto& kv : node) {
    const auto key = kv.first.as<std::string>();
    if (!allowed.count(key)) bad(kv.first, path, "unknown key '" + key + "'");
  }
}

std::string checked_uuid(const YAML::Node& parent, const std::string& path, const std::string& fallback) {
  const auto text = scalar(parent, "id", path, fallback.empty());
  if (text.empty()) return fallback;
  if (!is_uuid(text)) bad(parent["id"], path + ".id", "'" + text + "' is not a UUID");
  return lower_uuid(text);
}

bool valid_api_name(std::string_view name) {
  if (name.empty() || name.size() > 100) return false;
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  return true;
}

field_def load_field(const YAML::Node& node, const std::string& path, const std::string& object_id) {
  if (!node.IsMap()) bad(node, path, "expected a mapping");
  check_keys(node, path, {"name", "id", "display_name", "type", "default", "options", "target", "cardinality"});
  field_def f;
  f.name = scalar(node, "name", path);
  if (!valid_api_name(f.name)) bad(node, path + ".name", "'" + f.name + "' is not a valid API name");
  f.id = checked_uuid(node, path, derived_uuid(object_id, f.name));
  f.display_name = scalar(node, "display_name", path, false);
  if (f.display_name.empty()) f.display_name = f.name;
  const auto type_text = scalar(node, "type", path);
  const auto type = parse_field_type(type_text);
  if (!type) bad(node["type"], path + ".type", "unknown field type '" + type_text + "'");
  f.type = *type;
  if (node["default"]) f.is_default = node["default"].as<bool>();
  if (f.name == "created" || f.name == "updated") {
    if (f.type != field_type::datetime) bad(node, path, f.name + " must have type datetime");
    f.timestamp = f.name == "created" ? timestamp_field::created : timestamp_field::updated;
    f.is_default = true;
  }
  if (const auto options = node["options"]) {
    if (f.type != field_type::dropdown && f.type != field_type::dynamictags)
      bad(options, path + ".options", "only dropdown and dynamictags fields have options");
    if (!options.IsSequence()) bad(options, path + ".options", "expected a list");
    std::set<std::string> names;
    for (std::size_t i = 0; i < options.size(); ++i) {
      const auto o = options[i];
      const std::string opath = path + ".options[" + std::to_string(i) + "]";
      if (!o.IsMap()) bad(o, opath, "expected a mapping {id, name}");
      check_keys(o, opath, {"id", "name"});
      option opt;
      opt.name = scalar(o, "name", opath);
      opt.id = checked_uuid(o, opath, derived_uuid(f.id, opt.name));
      if (!names.insert(opt.name).second) bad(o, opath, "duplicate option '" + opt.name + "'");
      f.options.push_back(std::move(opt));
    }
  } else if (f.type == field_type::dropdown) {
    bad(node, path, "a dropdown needs options");
  }
  if (f.type == field_type::relationship) {
    f.target = scalar(node, "target", path);
    const auto card = scalar(node, "cardinality", path);
    if (card == "to_one")
      f.card = cardinality::to_one;
    else if (card == "to_many")
      f.card = cardinality::to_many;
    else
      bad(node["cardinality"], path + ".cardinality", "expected to_one or to_many, got '" + card + "'");
  } else if (node["target"] || node["cardinality"]) {
    bad(node, path, "target/cardinality only apply to relationship fields");
  }
  return f;
}

void add_timestamp(object_def& object, const char* name, const char* display) {
  if (object.by_name.count(name)) return;
  field_def f;
  f.name = name;
  f.id = derived_uuid(object.id, name);
  f.display_name = display;
  f.type = field_type::datetime;
  f.is_default = true;
  f.timestamp = std::string_view(name) == "created" ? timestamp_field::created : timestamp_field::updated;
  f.index = object.fields.size();
  object.by_name[f.name] = f.index;
  object.by_id[f.id] = f.index;
  object.fields.push_back(std::move(f));
}

schema load(const YAML::Node& root) {
  if (!root.IsMap()) bad(root, "schema", "expected a mapping with key 'objects'");
  check_keys(root, "schema", {"objects"});
  const auto objects = root["objects"];
  if (!objects || !objects.IsSequence() || objects.size() == 0)
    bad(root, "objects", "expected a non-empty list of objects");
  schema s;
  std::set<std::string> ids;
  for (std::size_t i = 0; i < objects.size(); ++i) {
    const auto node = objects[i];
    const std::string path = "objects[" + std::to_string(i) + "]";
    if (!node.IsMap()) bad(node, path, "expected a mapping");
    check_keys(node, path, {"name", "id", "display_name", "entity_name", "identity", "fields"});
    object_def o;
    o.name = scalar(node, "name", path);
    if (!valid_api_name(o.name)) bad(node, path + ".name", "'" + o.name + "' is not a valid API name");
    if (s.object_by_name(o.name)) bad(node, path, "duplicate object '" + o.name + "'");
    o.id = checked_uuid(node, path, derived_uuid("kizen-emulator", o.name));
    o.display_name = scalar(node, "display_name", path, false);
    if (o.display_name.empty()) o.display_name = o.name;
    o.entity_name = scalar(node, "entity_name", path, false);
    if (o.entity_name.empty()) o.entity_name = o.display_name;
    o.identity = scalar(node, "identity", path, false);
    if (o.identity.empty()) o.identity = o.is_contacts() ? "email" : "name";
    const auto fields = node["fields"];
    if (!fields || !fields.IsSequence()) bad(node, path, "missing list 'fields'");
    for (std::size_t j = 0; j < fields.size(); ++j) {
      const std::string fpath = path + ".fields[" + std::to_string(j) + "]";
      auto f = load_field(fields[j], fpath, o.id);
      if (o.by_name.count(f.name)) bad(fields[j], fpath, "duplicate field '" + f.name + "'");
      if (o.by_id.count(f.id)) bad(fields[j], fpath, "duplicate field id '" + f.id + "'");
      f.index = o.fields.size();
      o.by_name[f.name] = f.index;
      o.by_id[f.id] = f.index;
      o.fields.push_back(std::move(f));
    }
    add_timestamp(o, "created", "Date Created");
    add_timestamp(o, "updated", "Date Updated");
    const auto identity = o.by_name.find(o.identity);
    if (identity == o.by_name.end()) bad(node, path + ".identity", "no field named '" + o.identity + "'");
    const auto& idf = o.fields[identity->second];
    if (idf.type != field_type::text && idf.type != field_type::email)
      bad(node, path + ".identity", "the identity field must be text or email");
    o.identity_index = identity->second;
    for (const auto& f : o.fields) {
      if (!ids.insert(f.id).second) bad(node, path, "field id '" + f.id + "' is used twice in the schema");
      for (const auto& opt : f.options)
        if (!ids.insert(opt.id).second) bad(node, path, "option id '" + opt.id + "' is used twice");
    }
    if (!ids.insert(o.id).second) bad(node, path, "object id '" + o.id + "' is used twice");
    s.objects.push_back(std::move(o));
  }
  for (auto& o : s.objects) {
    for (auto& f : o.fields) {
      if (f.type != field_type::relationship) continue;
      const auto* target = s.object_by_name(f.target);
      if (!target)
        throw schema_error{"object '" + o.name + "', field '" + f.name + "': target object '" + f.target +
                           "' is not in the schema"};
      f.target_object = s.index_of(*target);
    }
  }
  return s;
}

}  // namespace

std::string_view to_string(field_type type) {
  for (const auto& [t, name] : type_names)
    if (t == type) return name;
  return "text";
}

std::optional<field_type> parse_field_type(std::string_view text) {
  for (const auto& [t, name] : type_names)
    if (name == text) return t;
  return std::nullopt;
}

const field_def* object_def::field_by_name(std::string_view n) const {
  const auto it = by_name.find(std::string(n));
  return it == by_name.end() ? nullptr : &fields[it->second];
}

const field_def* object_def::field_by_id(std::string_view i) const {
  if (!is_uuid(i)) return nullptr;
  const auto it = by_id.find(lower_uuid(i));
  return it == by_id.end() ? nullptr : &fields[it->second];
}

const object_def* schema::object_by_name(std::string_view n) const {
  for (const auto& o : objects)
    if (o.name == n) return &o;
  return nullptr;
}

const object_def* schema::object_by_id(std::string_view i) const {
  if (!is_uuid(i)) return nullptr;
  const auto id = lower_uuid(i);
  for (const auto& o : objects)
    if (o.id == id) return &o;
  return nullptr;
}

ks::result<schema, std::string> load_schema_text(std::string_view yaml_text, std::string_view source) {
  try {
    return load(YAML::Load(std::string(yaml_text)));
  } catch (const schema_error& e) {
    return ks::fail(std::string(source) + ": " + e.message);
  } catch (const YAML::Exception& e) {
    return ks::fail(std::string(source) + ": " + e.what());
  }
}

ks::result<schema, std::string> load_schema_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return ks::fail("cannot read schema file " + path);
  std::stringstream text;
  text << in.rdbuf();
  return load_schema_text(text.str(), path);
}

}  // namespace kizen_emulator
