#pragma once
// Checks JSON bodies against an OpenAPI 3.0 document (for kizen-sync: the Kizen Records API
// contract, docs/reference/kizen-records-openapi.json), so that a response drifting from the
// contract fails a test.
//
// Supported schema keywords: $ref (local JSON pointers), type (object, array, string, integer,
// number, boolean, and "null"), nullable, required, properties, additionalProperties, items, enum,
// oneOf, anyOf, allOf, format (uuid checked strictly, uri loosely: absolute http(s) URL; other
// formats are annotations), minLength (in code points), pattern (ECMAScript, unanchored).
// Annotations (description, readOnly, default, ...) are ignored. Any other keyword makes the
// constructor throw, so a contract that starts using one can never be checked more weakly than
// it reads. `integer` means a JSON number without fraction or exponent (1.0 is not an integer).
//
// Two generator (drf-spectacular) artefacts are read as the API behaves, not literally:
// 1. A component schema of type object whose only property is `id`, a $ref to an object schema
//    (the document's `Fields`), is how the generator writes a dict keyed by field UUID. It is
//    read as: an object whose every key is a UUID and every value matches the referenced schema
//    (`SerializedFieldValueDict`); an empty object is valid (blank fields are omitted).
// 2. A property schema `{"type":"object","additionalProperties":{}}` with no `properties` (e.g.
//    `SerializedFieldValueDict.value`, `FieldRequest.value`) is a free-form JSON field: any JSON
//    value is accepted; null only where `nullable` says so, and for
//    `SerializedFieldValueDict.value`, which the API returns as null for cleared values.
// Paths in violations are JSONPath-like: `$`, `.name`, `[3]`, and `['key']` for keys that are not
// identifiers (field UUIDs), e.g. "$.results[3].fields['0b9c...']: required property 'id' missing".
//
// Thread safety: a validator is immutable after construction; all const members may be called
// concurrently.

#include <boost/json/value.hpp>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace ks::test {

namespace detail {
struct openapi_model;
}

class openapi_validator {
 public:
  // The project's copy of the contract, docs/reference/kizen-records-openapi.json (path baked in
  // by CMake), loaded on first use. Throws std::runtime_error if the file cannot be read or parsed.
  static const openapi_validator& kizen();

  // Throws std::invalid_argument if the document is not OpenAPI 3 or is broken (a $ref that does
  // not resolve, a pattern that does not compile, an unsupported schema keyword), naming the place.
  explicit openapi_validator(boost::json::value document);

  // Violations of the component schema `schema_name` (e.g. "EntityRecordDetail"); empty when the
  // body is valid. An unknown schema name is itself reported as a violation.
  std::vector<std::string> validate_schema(const boost::json::value& body, std::string_view schema_name) const;

  // True when the document defines a JSON response schema for this operation and status
  // (exact status, then "2XX"-style ranges, then "default"). `method` is case-insensitive;
  // `path_template` as written in the document. A response without a body (DELETE 204) is
  // documented but has no schema: false.
  bool documents(std::string_view method, std::string_view path_template, int status) const;

  // Violations of the documented response schema for this operation and status. An undocumented
  // path, method or status is itself a violation. For a response documented without a body, a
  // null `body` (meaning: none) is valid and anything else is a violation.
  std::vector<std::string> validate_response(std::string_view method, std::string_view path_template, int status,
                                             const boost::json::value& body) const;

  // The template of the document's path that `concrete_path` (query string and fragment ignored)
  // is a request for with `method`, e.g. "/api/records/deals/8c..." ->
  // "/api/records/{object_identifier}/{entity_id}"; empty if none. Parameters match any non-empty
  // segment (their schemas are not checked); when several templates match, the one with a
  // literal segment at the first position where they differ wins, so ".../search" maps to the
  // search path.
  std::string match_path(std::string_view method, std::string_view concrete_path) const;

 private:
  std::shared_ptr<const detail::openapi_model> model_;
};

}  // namespace ks::test
