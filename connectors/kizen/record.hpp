#pragma once
// A Kizen record as GET, lookup, search, add, PUT, PATCH and upsert return it.

#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/kizen/timestamp.hpp"

namespace ks::kizen {

struct record_field {
  std::string id;    // field UUID (the key of the entry in "fields")
  std::string name;  // API name; empty if the server left it out
  std::string display_name;
  std::string field_type;    // "text", "relationship", ...; empty if left out
  boost::json::value value;  // as sent by Kizen; null when absent
  // Set when a big relationship came as {"value_summary": {"count": N}} instead of the list:
  // the full list comes from client::field_values.
  std::optional<std::int64_t> summary_count;
};

struct record {
  std::string id;                    // entity UUID
  std::string object_type;           // empty if left out
  std::vector<record_field> fields;  // in response order; blank fields are not returned
  // Top-level "created"/"updated", or else the built-in fields of those names. The raw text is
  // kept for cursors and logs; the parsed value for comparisons.
  std::optional<std::string> created_text;
  std::optional<std::string> updated_text;
  std::optional<timestamp> created;
  std::optional<timestamp> updated;

  // The field with this API name, or nullptr.
  const record_field* field(std::string_view name) const {
    for (const auto& f : fields)
      if (f.name == name) return &f;
    return nullptr;
  }
  // The field with this UUID, or nullptr.
  const record_field* field_by_id(std::string_view id) const {
    for (const auto& f : fields)
      if (f.id == id) return &f;
    return nullptr;
  }
};

enum class upsert_action { created, updated, unarchived };

const char* to_string(upsert_action a);

struct upsert_result {
  record rec;
  upsert_action action = upsert_action::updated;
  bool created = false;  // action == created (a new record; 201)
};

// One value of GET /api/records/{entity_id}/field-values/{field_id}: a related record
// (id, name, display_name) or a contact (id, display_name, email, first/last/full name).
struct related_value {
  std::string id;
  std::string name;
  std::string display_name;
  std::string email;
  std::string first_name;
  std::string last_name;
  std::string full_name;
};

}  // namespace ks::kizen
