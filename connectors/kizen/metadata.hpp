#pragma once
// Object and field metadata: GET /api/custom-objects and
// GET /api/custom-objects/{object uuid}/fields/settings-search.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ks::kizen {

struct object_info {
  std::string id;            // the object's UUID
  std::string name;          // its API name (object_identifier); contacts are client_client
  std::string display_name;  // empty if left out
};

struct field_option {
  std::string id;
  std::string name;
};

struct field_relation {
  std::string related_object_id;    // UUID of the target object
  std::string related_object_name;  // its API name
  std::string cardinality;          // as Kizen says it (e.g. "many_to_one"); empty if left out
};

struct field_info {
  std::string id;    // field UUID
  std::string name;  // API name
  std::string display_name;
  std::string field_type;
  bool is_default = false;                 // a built-in field (name, email, created, ...)
  std::vector<field_option> options;       // for dropdown/radio/status/checkboxes...
  std::optional<field_relation> relation;  // for relationship fields

  // The option with this name (exact match), or nullptr.
  const field_option* option(std::string_view option_name) const {
    for (const auto& o : options)
      if (o.name == option_name) return &o;
    return nullptr;
  }
};

}  // namespace ks::kizen
