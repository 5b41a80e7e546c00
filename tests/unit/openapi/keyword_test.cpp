// Every supported schema keyword, valid and invalid, on small inline documents; construction
// errors; match_path and documents on a document of our own.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <stdexcept>

#include "tests/unit/openapi/test_helpers.hpp"

namespace ks::test {
namespace {

using namespace openapi_testing;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

// ---- construction
// ---------------------------------------------------------------------------------

TEST(openapi_construction, rejects_documents_that_are_not_openapi_3) {
  EXPECT_THROW(openapi_validator(j("[]")), std::invalid_argument);
  EXPECT_THROW(openapi_validator(j(R"({"paths":{}})")), std::invalid_argument);
  EXPECT_THROW(openapi_validator(j(R"({"swagger":"2.0","paths":{}})")), std::invalid_argument);
  EXPECT_THROW(openapi_validator(j(R"({"openapi":"2.0","paths":{}})")), std::invalid_argument);
  EXPECT_THROW(openapi_validator(j(R"({"openapi":3,"paths":{}})")), std::invalid_argument);
  EXPECT_THROW(openapi_validator(j(R"({"openapi":"3.0.3"})")), std::invalid_argument);
  EXPECT_NO_THROW(openapi_validator(j(R"({"openapi":"3.0.3","paths":{}})")));
}

TEST(openapi_construction, names_the_place_of_a_broken_document) {
  auto message_of = [](std::string_view schemas) {
    try {
      openapi_validator v(document(schemas));
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("no exception");
  };
  EXPECT_THAT(message_of(R"({"A":{"properties":{"b":{"$ref":"#/components/schemas/Nope"}}}})"),
              HasSubstr("#/components/schemas/A/properties/b/$ref"));
  EXPECT_THAT(message_of(R"({"A":{"$ref":"other.json#/X"}})"), HasSubstr("only local $refs"));
  EXPECT_THAT(message_of(R"({"A":{"type":"string","pattern":"(unclosed"}})"),
              HasSubstr("#/components/schemas/A/pattern"));
  EXPECT_THAT(message_of(R"({"A":{"type":"string","maxLength":3}})"),
              HasSubstr("unsupported schema keyword 'maxLength'"));
  EXPECT_THAT(message_of(R"({"A":{"type":["string","null"]}})"), HasSubstr("#/components/schemas/A/type"));
  EXPECT_THAT(message_of(R"({"A":{"oneOf":[]}})"), HasSubstr("#/components/schemas/A/oneOf"));
  EXPECT_THAT(message_of(R"({"A":{"type":"string","minLength":-1}})"), HasSubstr("minLength"));
  EXPECT_THAT(message_of(R"({"A":{"$ref":"#/info/title"}})"), HasSubstr("a schema must be an object"));
  EXPECT_THAT(message_of(R"({"A":{"$ref":"#/info"}})"), HasSubstr("unsupported schema keyword"));
  EXPECT_EQ(message_of(R"({"A":{"type":"string","description":"x","readOnly":true,"x-vendor":1}})"), "no exception");
}

TEST(openapi_construction, checks_refs_and_schemas_outside_components_too) {
  EXPECT_THROW(openapi_validator(document("{}", R"({"/a":{"get":{"responses":{"200":{
      "description":"","content":{"application/json":{"schema":{"$ref":"#/components/schemas/X"}}}}}}}})")),
               std::invalid_argument);
  EXPECT_THROW(openapi_validator(document("{}", R"({"/a":{"get":{"parameters":[{"in":"query",
      "name":"q","schema":{"type":"string","not":{}}}],"responses":{}}}})")),
               std::invalid_argument);
}

TEST(openapi_validate_schema, unknown_schema_name_is_a_violation) {
  openapi_validator v(document(R"({"A":{"type":"string"}})"));
  EXPECT_THAT(v.validate_schema(j("1"), "Nope"), only("schema 'Nope' is not defined"));
}

// ---- type
// -------------------------------------------------------------------------------------------

TEST(openapi_keyword_type, each_type_accepts_its_kind_and_rejects_others) {
  EXPECT_THAT(check(R"({"type":"object"})", "{}"), IsEmpty());
  EXPECT_THAT(check(R"({"type":"object"})", "[]"), only("$: expected object, got array"));
  EXPECT_THAT(check(R"({"type":"array"})", "[1]"), IsEmpty());
  EXPECT_THAT(check(R"({"type":"array"})", "{}"), only("$: expected array, got object"));
  EXPECT_THAT(check(R"({"type":"string"})", R"("x")"), IsEmpty());
  EXPECT_THAT(check(R"({"type":"string"})", "1"), only("$: expected string, got integer"));
  EXPECT_THAT(check(R"({"type":"integer"})", "-3"), IsEmpty());
  EXPECT_THAT(check(R"({"type":"integer"})", "18446744073709551615"), IsEmpty());
  EXPECT_THAT(check(R"({"type":"integer"})", "1.5"), only("$: expected integer, got number"));
  // OpenAPI 3.0's JSON Schema: an integer has no fraction or exponent part.
  EXPECT_THAT(check(R"({"type":"integer"})", "1.0"), only("expected integer, got number"));
  EXPECT_THAT(check(R"({"type":"integer"})", R"("1")"), only("expected integer, got string"));
  EXPECT_THAT(check(R"({"type":"number"})", "1"), IsEmpty());
  EXPECT_THAT(check(R"({"type":"number"})", "1.5"), IsEmpty());
  EXPECT_THAT(check(R"({"type":"number"})", "true"), only("$: expected number, got boolean"));
  EXPECT_THAT(check(R"({"type":"boolean"})", "false"), IsEmpty());
  EXPECT_THAT(check(R"({"type":"boolean"})", "0"), only("$: expected boolean, got integer"));
  EXPECT_THAT(check(R"({"type":"boolean"})", R"("true")"), only("expected boolean, got string"));
}

TEST(openapi_keyword_type, null_type_as_written_inside_one_of_means_null_allowed) {
  EXPECT_THAT(check(R"({"type":"null"})", "null"), IsEmpty());
  EXPECT_THAT(check(R"({"type":"null"})", "0"), only("expected null, got integer"));
  const char* schema = R"({"oneOf":[{"type":"null"},{"type":"array","items":{"type":"string"}}]})";
  EXPECT_THAT(check(schema, "null"), IsEmpty());
  EXPECT_THAT(check(schema, R"(["a"])"), IsEmpty());
  EXPECT_THAT(check(schema, R"("a")"), only("matches none of the oneOf alternatives"));
}

TEST(openapi_keyword_type, schema_without_type_accepts_any_kind) {
  EXPECT_THAT(check("{}", "null"), IsEmpty());
  EXPECT_THAT(check("{}", R"({"a":[1,"x",null]})"), IsEmpty());
}

// ---- nullable
// -------------------------------------------------------------------------------------

TEST(openapi_keyword_nullable, null_only_where_nullable_is_true) {
  EXPECT_THAT(check(R"({"type":"string"})", "null"), only("$: expected string, got null"));
  EXPECT_THAT(check(R"({"type":"string","nullable":false})", "null"), only("expected string, got null"));
  EXPECT_THAT(check(R"({"type":"string","nullable":true})", "null"), IsEmpty());
  EXPECT_THAT(check(R"({"type":"string","nullable":true})", "3"), only("expected string, got integer"));
  // nullable short-circuits the other keywords: null is not checked against format or enum.
  EXPECT_THAT(check(R"({"type":"string","format":"uri","nullable":true})", "null"), IsEmpty());
  EXPECT_THAT(check(R"({"nullable":true,"oneOf":[{"type":"string","enum":["a"]},{"type":"integer"}]})", "null"),
              IsEmpty());
}

// ---- required, properties, additionalProperties
// ---------------------------------------------------

TEST(openapi_keyword_required, each_missing_property_is_named) {
  const char* schema = R"({"type":"object","required":["id","name"]})";
  EXPECT_THAT(check(schema, R"({"id":1,"name":2})"), IsEmpty());
  EXPECT_THAT(check(schema, R"({"name":2})"), only("$: required property 'id' missing"));
  EXPECT_THAT(check(schema, "{}"),
              ElementsAre("$: required property 'id' missing", "$: required property 'name' missing"));
  // A present null still counts as present; its type is the properties' business.
  EXPECT_THAT(check(schema, R"({"id":null,"name":null})"), IsEmpty());
}

TEST(openapi_keyword_properties, nested_violation_names_the_path) {
  const char* schema = R"({"type":"object","properties":{"a":{"type":"object","properties":{
      "b":{"type":"integer"},"odd-key":{"type":"string"}}}}})";
  EXPECT_THAT(check(schema, R"({"a":{"b":1,"odd-key":"x"}})"), IsEmpty());
  EXPECT_THAT(check(schema, R"({"a":{"b":"1"}})"), ElementsAre("$.a.b: expected integer, got string"));
  EXPECT_THAT(check(schema, R"({"a":{"odd-key":1}})"), ElementsAre("$.a['odd-key']: expected string, got integer"));
  // Properties not declared are allowed by default.
  EXPECT_THAT(check(schema, R"({"a":{"c":[]},"z":1})"), IsEmpty());
}

TEST(openapi_keyword_additional_properties, false_true_and_schema) {
  EXPECT_THAT(check(R"({"type":"object","properties":{"a":{}},"additionalProperties":false})", R"({"a":1})"),
              IsEmpty());
  EXPECT_THAT(check(R"({"type":"object","properties":{"a":{}},"additionalProperties":false})", R"({"a":1,"b":2})"),
              only("$: property 'b' is not allowed (additionalProperties: false)"));
  EXPECT_THAT(check(R"({"type":"object","additionalProperties":true})", R"({"b":2})"), IsEmpty());
  const char* typed = R"({"type":"object","additionalProperties":{"type":"array","items":{"type":"string"}}})";
  EXPECT_THAT(check(typed, R"({"x":["a"],"y":[]})"), IsEmpty());
  EXPECT_THAT(check(typed, R"({"x":["a"],"y":"b"})"), only("$.y: expected array, got string"));
  EXPECT_THAT(check(typed, R"({"x":["a",2]})"), only("$.x[1]: expected string, got integer"));
}

// ---- items
// ----------------------------------------------------------------------------------------

TEST(openapi_keyword_items, each_element_checked_with_its_index) {
  const char* schema = R"({"type":"array","items":{"type":"object","required":["id"]}})";
  EXPECT_THAT(check(schema, "[]"), IsEmpty());
  EXPECT_THAT(check(schema, R"([{"id":1},{"id":2}])"), IsEmpty());
  EXPECT_THAT(check(schema, R"([{"id":1},{},{"id":3},{}])"),
              ElementsAre("$[1]: required property 'id' missing", "$[3]: required property 'id' missing"));
  EXPECT_THAT(check(R"({"type":"array","items":{}})", R"([1,"a",null,{}])"), IsEmpty());
}

// ---- enum
// -----------------------------------------------------------------------------------------

TEST(openapi_keyword_enum, value_must_be_listed) {
  const char* schema = R"({"type":"string","enum":["created","updated"]})";
  EXPECT_THAT(check(schema, R"("updated")"), IsEmpty());
  EXPECT_THAT(check(schema, R"("deleted")"), only(R"($: value "deleted" is not one of ["created","updated"])"));
  EXPECT_THAT(check(schema, R"("Created")"), only("is not one of"));
}

TEST(openapi_keyword_enum, enum_of_null_accepts_only_null) {
  const char* null_enum = R"({"enum":[null]})";
  EXPECT_THAT(check(null_enum, "null"), IsEmpty());
  EXPECT_THAT(check(null_enum, R"("overwrite")"), only("is not one of [null]"));
  // The document's pattern: nullable oneOf between a string enum and NullEnum.
  std::string schemas = R"({"E":{"type":"string","enum":["overwrite"]},"N":{"enum":[null]},
      "T":{"nullable":true,"oneOf":[{"$ref":"#/components/schemas/E"},{"$ref":"#/components/schemas/N"}]}})";
  openapi_validator v(document(schemas));
  EXPECT_THAT(v.validate_schema(j("null"), "T"), IsEmpty());
  EXPECT_THAT(v.validate_schema(j(R"("overwrite")"), "T"), IsEmpty());
  EXPECT_THAT(v.validate_schema(j(R"("prompt")"), "T"), only("matches none of the oneOf alternatives"));
}

// ---- oneOf, anyOf, allOf
// ---------------------------------------------------------------------------

TEST(openapi_keyword_one_of, exactly_one_alternative_must_match) {
  const char* schema = R"({"oneOf":[{"type":"integer"},{"type":"number"},{"type":"string"}]})";
  EXPECT_THAT(check(schema, R"("x")"), IsEmpty());
  EXPECT_THAT(check(schema, "1.5"), IsEmpty());
  EXPECT_THAT(check(schema, "2"), only("$: matches 2 oneOf alternatives (#0, #1); exactly one must match"));
  auto none = check(schema, "true");
  ASSERT_THAT(none, SizeIs(1));
  EXPECT_THAT(none[0], HasSubstr("$: matches none of the oneOf alternatives"));
  EXPECT_THAT(none[0], HasSubstr("[#2: $: expected string, got boolean]"));
}

TEST(openapi_keyword_one_of, failure_details_name_referenced_alternatives_and_inner_paths) {
  std::string schemas =
      R"({"A":{"type":"object","required":["a"]},"B":{"type":"object","required":["b"]},
      "T":{"type":"array","items":{"oneOf":[{"$ref":"#/components/schemas/A"},{"$ref":"#/components/schemas/B"}]}}})";
  openapi_validator v(document(schemas));
  EXPECT_THAT(v.validate_schema(j(R"([{"a":1},{"b":2}])"), "T"), IsEmpty());
  auto out = v.validate_schema(j(R"([{"a":1},{"c":2}])"), "T");
  ASSERT_THAT(out, SizeIs(1));
  EXPECT_THAT(out[0], HasSubstr("$[1]: matches none of the oneOf alternatives"));
  EXPECT_THAT(out[0], HasSubstr("[A: $[1]: required property 'a' missing]"));
  EXPECT_THAT(out[0], HasSubstr("[B: $[1]: required property 'b' missing]"));
  EXPECT_THAT(v.validate_schema(j(R"([{"a":1,"b":2}])"), "T"), only("$[0]: matches 2 oneOf alternatives (A, B)"));
}

TEST(openapi_keyword_any_of, at_least_one_alternative_must_match) {
  const char* schema = R"({"anyOf":[{"type":"integer"},{"type":"number"}]})";
  EXPECT_THAT(check(schema, "2"), IsEmpty());  // both match: fine for anyOf
  EXPECT_THAT(check(schema, "2.5"), IsEmpty());
  EXPECT_THAT(check(schema, R"("2")"), only("$: matches none of the anyOf alternatives"));
}

TEST(openapi_keyword_all_of, every_part_must_match) {
  const char* schema = R"({"allOf":[{"type":"object","required":["a"]},{"type":"object","required":["b"]}]})";
  EXPECT_THAT(check(schema, R"({"a":1,"b":2})"), IsEmpty());
  EXPECT_THAT(check(schema, R"({"a":1})"), only("$: required property 'b' missing"));
  EXPECT_THAT(check(schema, "{}"), ElementsAre("$: required property 'a' missing", "$: required property 'b' missing"));
}

// ---- format, minLength, pattern
// ---------------------------------------------------------------------

TEST(openapi_keyword_format, uuid_is_checked) {
  const char* schema = R"({"type":"string","format":"uuid"})";
  EXPECT_THAT(check(schema, R"("8c5a1f3e-2b4d-4e6f-8a9b-0c1d2e3f4a5b")"), IsEmpty());
  EXPECT_THAT(check(schema, R"("8C5A1F3E-2B4D-4E6F-8A9B-0C1D2E3F4A5B")"), IsEmpty());
  EXPECT_THAT(check(schema, R"("8c5a1f3e-2b4d-4e6f-8a9b-0c1d2e3f4a5")"),
              only("is not a uuid"));  // short
  EXPECT_THAT(check(schema, R"("8c5a1f3e-2b4d-4e6f-8a9b-0c1d2e3f4a5bb")"),
              only("is not a uuid"));  // long
  EXPECT_THAT(check(schema, R"("8c5a1f3e-2b4d-4e6f-8a9b-0c1d2e3f4a5g")"),
              only("is not a uuid"));  // not hex
  EXPECT_THAT(check(schema, R"("8c5a1f3e2b4d4e6f8a9b0c1d2e3f4a5b")"),
              only("is not a uuid"));  // no dashes
  EXPECT_THAT(check(schema, R"("8c5a1f3e+2b4d-4e6f-8a9b-0c1d2e3f4a5b")"), only("is not a uuid"));
  EXPECT_THAT(check(schema, R"("")"), only(R"($: string "" is not a uuid)"));
  // Unknown formats are annotations.
  EXPECT_THAT(check(R"({"type":"string","format":"date-time"})", R"("whenever")"), IsEmpty());
}

TEST(openapi_keyword_format, uri_is_an_absolute_http_url) {
  const char* schema = R"({"type":"string","format":"uri"})";
  EXPECT_THAT(check(schema, R"("http://127.0.0.1:8080/api/records/x/search?page=2&page_size=50")"), IsEmpty());
  EXPECT_THAT(check(schema, R"("https://app.go.kizen.com/api/records/x/search?page=2")"), IsEmpty());
  EXPECT_THAT(check(schema, R"("HTTPS://example.com")"), IsEmpty());
  EXPECT_THAT(check(schema, R"("/api/records/x/search?page=2")"), only("is not an absolute http(s) URL"));
  EXPECT_THAT(check(schema, R"("ftp://example.com/x")"), only("is not an absolute http(s) URL"));
  EXPECT_THAT(check(schema, R"("http://")"), only("is not an absolute http(s) URL"));
  EXPECT_THAT(check(schema, R"("http:///path")"), only("is not an absolute http(s) URL"));
  EXPECT_THAT(check(schema, R"("http://exa mple.com/")"), only("is not an absolute http(s) URL"));
  EXPECT_THAT(check(schema, R"("page=2")"), only("is not an absolute http(s) URL"));
}

TEST(openapi_keyword_min_length, counts_characters_not_bytes) {
  EXPECT_THAT(check(R"({"type":"string","minLength":1})", R"("a")"), IsEmpty());
  EXPECT_THAT(check(R"({"type":"string","minLength":1})", R"("")"),
              only("$: string of 0 characters is shorter than minLength 1"));
  EXPECT_THAT(check(R"({"type":"string","minLength":1})", R"("é")"), IsEmpty());
  // "é" is two bytes but one character.
  EXPECT_THAT(check(R"({"type":"string","minLength":2})", R"("é")"), only("shorter than minLength 2"));
  EXPECT_THAT(check(R"({"type":"string","minLength":2})", R"("éé")"), IsEmpty());
}

TEST(openapi_keyword_pattern, ecmascript_search_unanchored_unless_the_pattern_says) {
  EXPECT_THAT(check(R"({"type":"string","pattern":"b+"})", R"("abbc")"), IsEmpty());
  EXPECT_THAT(check(R"({"type":"string","pattern":"b+"})", R"("ac")"),
              only(R"($: string "ac" does not match pattern 'b+')"));
  // The document's own entity_id pattern, with its escaped dashes.
  const char* id =
      R"({"type":"string","pattern":"^[0-9a-fA-F]{8}\\-[0-9a-fA-F]{4}\\-[0-9a-fA-F]{4}\\-[0-9a-fA-F]{4}\\-[0-9a-fA-F]{12}$"})";
  EXPECT_THAT(check(id, R"("8c5a1f3e-2b4d-4e6f-8a9b-0c1d2e3f4a5b")"), IsEmpty());
  EXPECT_THAT(check(id, R"("x8c5a1f3e-2b4d-4e6f-8a9b-0c1d2e3f4a5b")"), only("does not match pattern"));
  EXPECT_THAT(check(id, R"("lookup")"), only("does not match pattern"));
}

TEST(openapi_keyword_string_rules, apply_only_to_strings) {
  // Without `type`, a non-string is not a format or pattern violation (JSON Schema semantics).
  EXPECT_THAT(check(R"({"format":"uuid","pattern":"^a$","minLength":3})", "12"), IsEmpty());
}

// ---- $ref
// ------------------------------------------------------------------------------------------

TEST(openapi_keyword_ref, follows_local_refs_and_reports_inner_paths) {
  std::string schemas =
      R"({"Inner":{"type":"object","required":["n"],"properties":{"n":{"type":"integer"}}},
      "Outer":{"type":"object","properties":{"list":{"type":"array","items":{"$ref":"#/components/schemas/Inner"}},
      "direct":{"$ref":"#/components/schemas/Inner/properties/n"}}}})";
  openapi_validator v(document(schemas));
  EXPECT_THAT(v.validate_schema(j(R"({"list":[{"n":1}],"direct":2})"), "Outer"), IsEmpty());
  EXPECT_THAT(v.validate_schema(j(R"({"list":[{"n":1},{"n":"2"},{}]})"), "Outer"),
              ElementsAre("$.list[1].n: expected integer, got string", "$.list[2]: required property 'n' missing"));
  EXPECT_THAT(v.validate_schema(j(R"({"direct":"x"})"), "Outer"), only("$.direct: expected integer, got string"));
}

TEST(openapi_keyword_ref, cycles_are_reported_not_crashed_on) {
  std::string schemas = R"({"A":{"$ref":"#/components/schemas/B"},"B":{"allOf":[{"$ref":"#/components/schemas/A"}]}})";
  openapi_validator v(document(schemas));
  EXPECT_THAT(v.validate_schema(j("1"), "A"), has("(a $ref cycle?)"));
}

TEST(openapi_keyword_ref, recursive_schema_follows_the_data) {
  std::string schemas =
      R"({"Node":{"type":"object","properties":{"children":{"type":"array","items":{"$ref":"#/components/schemas/Node"}},"v":{"type":"integer"}}}})";
  openapi_validator v(document(schemas));
  EXPECT_THAT(v.validate_schema(j(R"({"children":[{"children":[{"v":1}]}]})"), "Node"), IsEmpty());
  EXPECT_THAT(v.validate_schema(j(R"({"children":[{"children":[{"v":true}]}]})"), "Node"),
              only("$.children[0].children[0].v: expected integer, got boolean"));
}

// ---- the two generator readings, detected by shape
// ---------------------------------------------------

TEST(openapi_reading_field_map, detected_by_shape_not_by_name) {
  // Same shape as the contract's `Fields`, different names: read as a map keyed by UUID.
  std::string schemas =
      R"({"Entry":{"type":"object","required":["id"],"properties":{"id":{"type":"string"}}},
      "Bag":{"type":"object","properties":{"id":{"$ref":"#/components/schemas/Entry"}},"required":["id"]}})";
  openapi_validator v(document(schemas));
  EXPECT_THAT(v.validate_schema(j("{}"), "Bag"), IsEmpty());
  EXPECT_THAT(v.validate_schema(j(R"({"8c5a1f3e-2b4d-4e6f-8a9b-0c1d2e3f4a5b":{"id":"x"}})"), "Bag"), IsEmpty());
  EXPECT_THAT(v.validate_schema(j(R"({"8c5a1f3e-2b4d-4e6f-8a9b-0c1d2e3f4a5b":{}})"), "Bag"),
              only("$['8c5a1f3e-2b4d-4e6f-8a9b-0c1d2e3f4a5b']: required property 'id' missing"));
  EXPECT_THAT(v.validate_schema(j(R"({"id":{"id":"x"}})"), "Bag"), only("$.id: key is not a field UUID"));
  EXPECT_THAT(v.validate_schema(j("[]"), "Bag"),
              only("$: expected object (Bag: a map keyed by field UUID), got array"));
}

TEST(openapi_reading_field_map, other_shapes_are_read_literally) {
  // Two properties, an inline `id`, or an `id` referring to a non-object: ordinary objects.
  std::string schemas = R"({"Entry":{"type":"object"},"S":{"type":"string"},
      "Fields":{"type":"object","required":["id"],"properties":{"id":{"$ref":"#/components/schemas/Entry"},"n":{"type":"integer"}}},
      "Inline":{"type":"object","required":["id"],"properties":{"id":{"type":"object"}}},
      "ToString":{"type":"object","required":["id"],"properties":{"id":{"$ref":"#/components/schemas/S"}}}})";
  openapi_validator v(document(schemas));
  const char* uuid_keyed = R"({"8c5a1f3e-2b4d-4e6f-8a9b-0c1d2e3f4a5b":{}})";
  EXPECT_THAT(v.validate_schema(j(uuid_keyed), "Fields"), only("$: required property 'id' missing"));
  EXPECT_THAT(v.validate_schema(j(R"({"id":{}})"), "Fields"), IsEmpty());
  EXPECT_THAT(v.validate_schema(j(uuid_keyed), "Inline"), only("$: required property 'id' missing"));
  EXPECT_THAT(v.validate_schema(j(uuid_keyed), "ToString"), only("$: required property 'id' missing"));
  EXPECT_THAT(v.validate_schema(j(R"({"id":"x"})"), "ToString"), IsEmpty());
}

TEST(openapi_reading_free_form, property_of_that_shape_takes_any_json_value) {
  std::string schemas = R"({"T":{"type":"object","properties":{
      "v":{"type":"object","additionalProperties":{}},
      "nv":{"type":"object","additionalProperties":{},"nullable":true},
      "real":{"type":"object","additionalProperties":{},"properties":{"a":{"type":"string"}}},
      "list":{"type":"array","items":{"type":"object","additionalProperties":{}}}}}})";
  openapi_validator v(document(schemas));
  for (const char* value : {R"("text")", "1", "2.5", "true", "[1,2]", R"({"id":"x"})", "[]", "{}"}) {
    std::string body = std::string(R"({"v":)") + value + R"(,"nv":)" + value + "}";
    EXPECT_THAT(v.validate_schema(j(body), "T"), IsEmpty()) << body;
  }
  // nullable honoured: null only where the document says so.
  EXPECT_THAT(v.validate_schema(j(R"({"nv":null})"), "T"), IsEmpty());
  EXPECT_THAT(v.validate_schema(j(R"({"v":null})"), "T"),
              only("$.v: null is not allowed (the free-form value is not nullable)"));
  // Narrow: a schema with `properties` is a real object ...
  EXPECT_THAT(v.validate_schema(j(R"({"real":"text"})"), "T"), only("$.real: expected object, got string"));
  EXPECT_THAT(v.validate_schema(j(R"({"real":{"a":1}})"), "T"), only("$.real.a: expected string, got integer"));
  // ... and so is the same shape as a list element: a list of objects.
  EXPECT_THAT(v.validate_schema(j(R"({"list":[{"x":1}]})"), "T"), IsEmpty());
  EXPECT_THAT(v.validate_schema(j(R"({"list":["x"]})"), "T"), only("$.list[0]: expected object, got string"));
}

// ---- paths: documents, validate_response, match_path
// ---------------------------------------------

const char* our_paths = R"({
  "/things/{id}": {"get": {"responses": {"200": {"description": "", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}},
                                         "4XX": {"description": "", "content": {"application/json": {"schema": {"type": "object", "required": ["detail"]}}}}}},
                   "delete": {"responses": {"204": {"description": "No response body"}}}},
  "/things/special": {"get": {"responses": {"default": {"description": "", "content": {"application/problem+json": {"schema": {"type": "string"}}}}}}},
  "/things/{id}/file": {"get": {"responses": {"200": {"description": "", "content": {"text/csv": {}}}}}},
  "/files/{name}.json": {"get": {"responses": {"200": {"description": ""}}}},
  "/a/{x}/c": {"get": {"responses": {}}},
  "/a/b/{y}": {"get": {"responses": {}}}
})";

openapi_validator ours() {
  return openapi_validator(document(R"({"Thing":{"type":"object","required":["id"]}})", our_paths));
}

TEST(openapi_documents, exact_status_then_range_then_default) {
  openapi_validator v = ours();
  EXPECT_TRUE(v.documents("GET", "/things/{id}", 200));
  EXPECT_TRUE(v.documents("get", "/things/{id}", 404));  // 4XX
  EXPECT_FALSE(v.documents("GET", "/things/{id}", 500));
  EXPECT_FALSE(v.documents("GET", "/things/{id}", 201));
  EXPECT_TRUE(v.documents("GET", "/things/special", 503));     // default, +json media type
  EXPECT_FALSE(v.documents("DELETE", "/things/{id}", 204));    // documented, but no body
  EXPECT_FALSE(v.documents("GET", "/things/{id}/file", 200));  // not JSON
  EXPECT_FALSE(v.documents("POST", "/things/{id}", 200));
  EXPECT_FALSE(v.documents("GET", "/things/1", 200));  // templates only
}

TEST(openapi_validate_response, checks_the_documented_schema_and_reports_undocumented_answers) {
  openapi_validator v = ours();
  EXPECT_THAT(v.validate_response("GET", "/things/{id}", 200, j(R"({"id":1})")), IsEmpty());
  EXPECT_THAT(v.validate_response("GET", "/things/{id}", 200, j("{}")), only("$: required property 'id' missing"));
  EXPECT_THAT(v.validate_response("GET", "/things/{id}", 404, j(R"({"detail":"x"})")), IsEmpty());
  EXPECT_THAT(v.validate_response("GET", "/things/{id}", 404, j(R"({"code":"x"})")),
              only("required property 'detail'"));
  EXPECT_THAT(v.validate_response("GET", "/things/{id}", 500, j("{}")),
              only("$: GET /things/{id} documents no 500 response"));
  EXPECT_THAT(v.validate_response("PUT", "/things/{id}", 200, j("{}")), only("$: PUT /things/{id} is not documented"));
  EXPECT_THAT(v.validate_response("GET", "/nothing", 200, j("{}")), only("$: path '/nothing' is not in the document"));
  EXPECT_THAT(v.validate_response("DELETE", "/things/{id}", 204, j("null")), IsEmpty());
  EXPECT_THAT(v.validate_response("DELETE", "/things/{id}", 204, j("{}")), only("documents no body, got object"));
  EXPECT_THAT(v.validate_response("GET", "/things/{id}/file", 200, j("1")), only("documents no JSON body"));
}

TEST(openapi_match_path, literal_segments_win_whatever_the_document_order) {
  openapi_validator v = ours();
  EXPECT_EQ(v.match_path("GET", "/things/42"), "/things/{id}");
  EXPECT_EQ(v.match_path("GET", "/things/special"), "/things/special");  // listed after {id}
  EXPECT_EQ(v.match_path("DELETE", "/things/special"), "/things/{id}");  // special has no DELETE
  EXPECT_EQ(v.match_path("GET", "/a/b/c"), "/a/b/{y}");                  // first difference decides
  EXPECT_EQ(v.match_path("GET", "/a/z/c"), "/a/{x}/c");
  EXPECT_EQ(v.match_path("GET", "/files/report.json"), "/files/{name}.json");
  EXPECT_EQ(v.match_path("GET", "/files/report.csv"), "");
  EXPECT_EQ(v.match_path("GET", "/files/.json"), "");
}

}  // namespace
}  // namespace ks::test
