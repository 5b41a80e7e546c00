#pragma once
// Which endpoint a path names, with its path template (as in the OpenAPI document) for the request
// log and its path parameters.

#include <string>
#include <string_view>
#include <vector>

namespace kizen_emulator {

enum class endpoint { none, record, add, lookup, search, upsert, unarchive, field_values, objects, object_fields };

struct route {
  endpoint ep = endpoint::none;
  std::string path_template;              // e.g. "/api/records/{object_identifier}/{entity_id}"
  std::string object;                     // object_identifier or the object UUID (object_fields)
  std::string entity;                     // entity_id
  std::string field;                      // field_id
  std::vector<std::string_view> methods;  // allowed
};

// segments: decoded path segments of an /api/... path.
route match_route(const std::vector<std::string>& segments);

}  // namespace kizen_emulator
