#pragma once
// The `fields` list of add/PUT/PATCH/upsert bodies: validated against the object's schema into
// changes, with errors positional per request entry as the contract's ErrorResponse wants.

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <string>
#include <vector>

#include "field_value.hpp"
#include "schema.hpp"
#include "store.hpp"

namespace kizen_emulator {

struct field_errors {
  std::vector<std::string> id, name, value, add_values, remove_values;
  bool empty() const {
    return id.empty() && name.empty() && value.empty() && add_values.empty() && remove_values.empty();
  }
};

struct write_errors {
  std::vector<std::string> non_field;
  std::vector<field_errors> fields;  // one per request entry, empty or not
  bool failed() const;
  // ErrorResponse: {"non_field_errors": [...], "fields": [{id?, name?, value, add_values, remove_values}]}
  boost::json::object body() const;
};

struct field_change {
  const field_def* field = nullptr;
  std::size_t position = 0;  // index in the request's list
  bool has_value = false;
  field_value value;             // when has_value (blank clears)
  std::vector<std::string> add;  // list ids; "new:<name>" for tags to create
  std::vector<std::string> remove;
};

// Parses the `fields` member (null or absent gives no changes). Appends per-entry errors to
// `errors` (which it sizes to the entry count).
std::vector<field_change> parse_field_changes(const store& s, const object_def& object,
                                              const boost::json::value* fields, write_errors& errors);

// The record's values after the changes. `replace` starts from blank values (PUT).
std::vector<field_value> apply_changes(const std::vector<field_value>& current,
                                       const std::vector<field_change>& changes, bool replace);

}  // namespace kizen_emulator
