#pragma once
// The search for one object's records: the fields the inbound sync receives (and key_field), in
// `ordering`, `page_size` at a time. Pure.

#include "connectors/kizen/search_query.hpp"
#include "daemon/engine/mapping/field_binding.hpp"

#include <string>

namespace ks::engine {

inline kizen::search_query records_query(const object_binding& object, std::string ordering, int page_size) {
  kizen::search_query q;
  for (const auto& f : object.fields)
    if (f.receives()) q.field_names.push_back(f.field.name);
  if (object.key_field) q.field_names.push_back(object.key_field->name);
  q.ordering = std::move(ordering);
  q.page_size = page_size;
  return q;
}

}  // namespace ks::engine
