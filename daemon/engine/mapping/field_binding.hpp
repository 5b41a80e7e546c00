#pragma once
// What the engine knows about one mapped column: its config mapping, the Kizen field it maps to
// (from Kizen's field metadata), and how values convert (value_kind). Built once at start (and on
// reload) by bind_object(); a mapped field Kizen does not have is a startup error naming the place.

#include "common/result.hpp"
#include "config/config.hpp"
#include "connectors/postgres/table_mapping.hpp"

#include <optional>
#include <string>
#include <vector>

namespace ks::engine {

// A Kizen field as its metadata describes it (independent of the client's own types).
struct kizen_option {
  std::string id;
  std::string name;
};
struct kizen_field {
  std::string id;    // field UUID
  std::string name;  // API name
  std::string type;  // field_type: text, email, integer, decimal, money, checkbox, date, ...
  bool is_default = false;
  std::vector<kizen_option> options;          // selects and tags
  std::optional<std::string> related_object;  // relationship target (object API name)
  std::optional<bool> to_many;                // relationship cardinality, when metadata says it
};

// How a column value converts to and from a Kizen value.
enum class value_kind {
  text,               // text, email, longtext, phonenumber, wysiwyg, timezone
  integer,            // integer, rating
  decimal,            // decimal, money (exact decimal strings)
  boolean,            // checkbox
  date,               // YYYY-MM-DD
  datetime,           // ISO-8601 UTC with milliseconds
  option,             // dropdown, radio, status, yesnomaybe: one option by name
  options,            // checkboxes, dynamictags: a set of option names (add_values/remove_values)
  relationship_one,   // relationship to one record: the referenced row's key
  relationship_many,  // relationship to many: an array of referenced keys (add/remove)
};
const char* to_string(value_kind k);
bool is_multi_value(value_kind k);

struct field_binding {
  const config::field_mapping* mapping = nullptr;
  kizen_field field;
  value_kind kind = value_kind::text;
  // Owned by the mapped object? (direction both/to_kizen: sent; both/from_kizen: pulled)
  bool sends() const;
  bool receives() const;
};

struct object_binding {
  const config::object_mapping* mapping = nullptr;
  pg::table_mapping table;                 // the table side, as the PostgreSQL connector takes it
  std::string object_uuid;                 // Kizen's id of the object (field metadata endpoint)
  std::vector<field_binding> fields;       // in config order
  std::optional<kizen_field> match_field;  // config match_field, resolved
  std::optional<kizen_field> key_field;    // config key_field, resolved

  const field_binding* for_column(const std::string& column) const;
  const field_binding* for_field(const std::string& field_name) const;
};

// A problem binding the config to Kizen's metadata, naming the config place.
struct binding_problem {
  config::source_location where;
  std::string message;
  std::string to_string() const;  // "file:line:col: message"
};

// Binds one object mapping to the fields Kizen reports for it.
ks::result<object_binding, std::vector<binding_problem>> bind_object(const config::object_mapping& mapping,
                                                                     std::string object_uuid,
                                                                     const std::vector<kizen_field>& kizen_fields);

// The value kind of a Kizen field type, or nullopt for types the sync cannot carry (files, ...).
std::optional<value_kind> kind_of_type(const std::string& field_type, bool to_many);

}  // namespace ks::engine
