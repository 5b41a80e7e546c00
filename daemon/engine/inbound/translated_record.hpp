#pragma once
// The inverse of the outbound conversion: a Kizen record as the column values of a table row
// (DESIGN.md "From Kizen"). Pure: references to other records are resolved through a lookup the
// caller fills from the identity map, and summarized relationships through full lists the caller
// fetched from the field-values endpoint.

#include "connectors/kizen/record.hpp"
#include "daemon/engine/mapping/field_binding.hpp"

#include <boost/json/object.hpp>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ks::engine {

// A record of another object that a relationship points to.
struct record_reference {
  std::string object;     // the referenced mapping's object
  std::string entity_id;  // lower-case UUID
  friend bool operator==(const record_reference&, const record_reference&) = default;
};

// The key of the row mirroring a Kizen record, or nullopt if none is known.
using row_key_lookup = std::function<std::optional<std::string>(const record_reference&)>;

struct translated_record {
  // column → value for every received column (direction both/from_kizen), in the JSON form
  // jsonb_populate_record accepts; blank fields are null (an absent checkbox is false).
  boost::json::object values;
  std::vector<record_reference> unresolved;  // relationships whose target has no row yet
  std::vector<std::string> problems;         // fields that could not be read (named)
  std::optional<std::string> key;            // from key_field, when configured and present
};

// Field id → the complete value list of a summarized relationship (fetched by the caller).
using full_lists = std::map<std::string, std::vector<std::string>>;

translated_record translate_record(const object_binding& object, const kizen::record& record,
                                   const row_key_lookup& lookup, const full_lists& lists = {});

// Where Kizen holds a datetime as the very instant last synced (`synced`: column -> value), only
// at its millisecond precision, the synced form (the row's, which may carry microseconds) stands
// in for Kizen's: a pull must neither truncate the row's value nor rewrite the row for precision
// Kizen does not keep.
void keep_synced_instants(const object_binding& object, translated_record& translated,
                          const boost::json::object& synced);

// Fields of the record that are summarized (more values than Kizen returns inline) and received.
std::vector<const field_binding*> summarized_fields(const object_binding& object, const kizen::record& record);

// The record's references that have no row yet, for every received relationship.
std::vector<record_reference> references_of(const object_binding& object, const kizen::record& record,
                                            const full_lists& lists = {});

}  // namespace ks::engine
