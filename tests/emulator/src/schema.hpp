#pragma once
// The objects and fields the emulator serves, loaded from a YAML schema file (see
// schemas/default.yaml and docs/emulator.md for the format).

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/result.hpp"

namespace kizen_emulator {

enum class field_type {
  text,
  email,
  integer,
  decimal,
  money,
  checkbox,
  date,
  datetime,
  dropdown,
  dynamictags,
  relationship
};

enum class cardinality { none, to_one, to_many };

std::string_view to_string(field_type type);
std::optional<field_type> parse_field_type(std::string_view text);

struct option {
  std::string id;
  std::string name;
};

// Which built-in timestamp a field stands for; those are read-only and live on the record itself.
enum class timestamp_field { none, created, updated };

struct field_def {
  std::string id;  // lower-case UUID
  std::string name;
  std::string display_name;
  field_type type = field_type::text;
  bool is_default = false;  // built-in: filtered with type fields/non_custom
  timestamp_field timestamp = timestamp_field::none;
  std::vector<option> options;    // dropdown options, initial dynamictags
  std::string target;             // relationship: target object API name
  std::size_t target_object = 0;  // index into schema::objects, resolved at load
  cardinality card = cardinality::none;
  std::size_t index = 0;  // position in object_def::fields

  bool multi_value() const { return type == field_type::dynamictags; }
  bool to_many() const { return type == field_type::relationship && card == cardinality::to_many; }
  bool read_only() const { return timestamp != timestamp_field::none; }
};

struct object_def {
  std::string id;    // lower-case UUID
  std::string name;  // API name, the object_identifier
  std::string display_name;
  std::string entity_name;
  std::string identity;  // API name of the field lookup/upsert match on
  std::size_t identity_index = 0;
  std::vector<field_def> fields;
  std::unordered_map<std::string, std::size_t> by_name;
  std::unordered_map<std::string, std::size_t> by_id;

  bool is_contacts() const { return name == "client_client"; }
  const field_def* field_by_name(std::string_view name) const;
  const field_def* field_by_id(std::string_view id) const;  // any case
  const field_def& identity_field() const { return fields[identity_index]; }
};

struct schema {
  std::vector<object_def> objects;

  const object_def* object_by_name(std::string_view name) const;
  const object_def* object_by_id(std::string_view id) const;
  std::size_t index_of(const object_def& object) const { return static_cast<std::size_t>(&object - objects.data()); }
};

// Parses and checks a schema; errors name the place ("objects[1].fields[3]: ...").
ks::result<schema, std::string> load_schema_text(std::string_view yaml_text, std::string_view source);
ks::result<schema, std::string> load_schema_file(const std::string& path);

}  // namespace kizen_emulator
