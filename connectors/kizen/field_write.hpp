#pragma once
// One entry of the "fields" list of add, PUT, PATCH and upsert bodies.

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_from.hpp>
#include <optional>
#include <string>

namespace ks::kizen {

struct field_write {
  enum class key_kind { name, id };

  key_kind key = key_kind::name;  // address the field by API name or by field UUID
  std::string field;              // the name or the UUID
  // Single-value fields: the new value (null clears). Multi-value fields use add_values and/or
  // remove_values instead; a write carries value, or one or both of the lists, never both kinds.
  std::optional<boost::json::value> value;
  std::optional<boost::json::array> add_values;
  std::optional<boost::json::array> remove_values;

  // `v` is anything boost::json::value_from accepts: a json::value, a string, a number,
  // a bool, nullptr (clears the field), ...
  template <class V>
  static field_write set(std::string name, V&& v) {
    field_write w;
    w.field = std::move(name);
    w.value = boost::json::value_from(std::forward<V>(v));
    return w;
  }
  template <class V>
  static field_write set_by_id(std::string field_id, V&& v) {
    field_write w = set(std::move(field_id), std::forward<V>(v));
    w.key = key_kind::id;
    return w;
  }
  static field_write add(std::string name, boost::json::array values) {
    field_write w;
    w.field = std::move(name);
    w.add_values = std::move(values);
    return w;
  }
  static field_write remove(std::string name, boost::json::array values) {
    field_write w;
    w.field = std::move(name);
    w.remove_values = std::move(values);
    return w;
  }
};

}  // namespace ks::kizen
