// The project's Kizen contract (docs/reference/kizen-records-openapi.json): each response schema
// with realistic valid bodies and mutations of them, the two generator readings as they occur in
// the contract, and the contract's operations through documents() and match_path().

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "tests/unit/openapi/test_helpers.hpp"

namespace ks::test {
namespace {

using namespace openapi_testing;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

namespace json = boost::json;

const openapi_validator& kizen() { return openapi_validator::kizen(); }

// Another file's static initialisation may be the first user: that must work too.
const openapi_validator& loaded_at_static_init = openapi_validator::kizen();

constexpr const char* record_path = "/api/records/{object_identifier}/{entity_id}";
constexpr const char* name_field = "0b9c6a52-1d3e-4f5a-9b7c-8d9e0f1a2b3c";

// A record as GET returns it, with one field of each value shape API-NOTES.md describes
// (string, decimal string, option object, boolean, integer, list of references, cleared null).
const char* record_text = R"({
  "object_type": "custom",
  "num_upcoming_activities": 0,
  "id": "8c5a1f3e-2b4d-4e6f-8a9b-0c1d2e3f4a5b",
  "fields": {
    "0b9c6a52-1d3e-4f5a-9b7c-8d9e0f1a2b3c": {"id": "0b9c6a52-1d3e-4f5a-9b7c-8d9e0f1a2b3c", "name": "name", "display_name": "Name", "field_type": "text", "value": "Acme"},
    "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f": {"id": "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f", "name": "amount", "display_name": "Amount", "field_type": "money", "value": "1500.00"},
    "2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f6a": {"id": "2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f6a", "name": "stage", "display_name": "Stage", "field_type": "dropdown", "value": {"id": "9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d", "name": "Won"}},
    "3e4f5a6b-7c8d-4e9f-0a1b-2c3d4e5f6a7b": {"id": "3e4f5a6b-7c8d-4e9f-0a1b-2c3d4e5f6a7b", "name": "vip", "display_name": "VIP", "field_type": "checkbox", "value": true},
    "4f5a6b7c-8d9e-4f0a-1b2c-3d4e5f6a7b8c": {"id": "4f5a6b7c-8d9e-4f0a-1b2c-3d4e5f6a7b8c", "name": "seats", "display_name": "Seats", "field_type": "integer", "value": 42},
    "5a6b7c8d-9e0f-4a1b-2c3d-4e5f6a7b8c9d": {"id": "5a6b7c8d-9e0f-4a1b-2c3d-4e5f6a7b8c9d", "name": "contacts", "display_name": "Contacts", "field_type": "relationship", "value": [{"id": "6b7c8d9e-0f1a-4b2c-3d4e-5f6a7b8c9d0e", "name": "Bob"}]},
    "6b7c8d9e-0f1a-4b2c-3d4e-5f6a7b8c9d0e": {"id": "6b7c8d9e-0f1a-4b2c-3d4e-5f6a7b8c9d0e", "name": "notes", "display_name": "Notes", "field_type": "longtext", "value": null}
  },
  "client_info": {"num_addresses_v2": 0, "display_name": "Acme", "email_on_suppression_list": false},
  "access": {"view": true, "edit": true, "remove": false},
  "num_associated_team_members": 1,
  "lead_source_types": [{"value": "organic_search", "label": "Organic Search"}]
})";

json::value record() { return j(record_text); }

// The record as a search result: EntityRecordList has no counters or lead sources.
json::value list_item() {
  json::value r = record();
  json::object& o = r.as_object();
  o.erase("num_upcoming_activities");
  o.erase("num_associated_team_members");
  o.erase("lead_source_types");
  return r;
}

json::value search_page() {
  json::value second = list_item();
  second.as_object()["id"] = "7c8d9e0f-1a2b-4c3d-4e5f-6a7b8c9d0e1f";
  second.as_object()["fields"] = json::object();
  return json::value{{"count", 2},
                     {"next", "http://127.0.0.1:8080/api/records/deals/search?page=2&page_size=2"},
                     {"previous", nullptr},
                     {"results", json::array{list_item(), second}},
                     {"errors", nullptr}};
}

json::value upsert_answer(const char* action) {
  json::value r = record();
  r.as_object()["action"] = action;
  return r;
}

json::value field_values_page() {
  return j(R"({"count": 2, "next": null, "previous": null, "results": [
    {"id": "6b7c8d9e-0f1a-4b2c-3d4e-5f6a7b8c9d0e", "name": "Bob Ltd", "display_name": "Bob Ltd"},
    {"id": "7c8d9e0f-1a2b-4c3d-4e5f-6a7b8c9d0e1f", "first_name": "Ann", "last_name": "Lee",
     "full_name": "Ann Lee", "email": "ann@example.com", "display_name": "Ann Lee"}]})");
}

json::value error_answer() {
  return j(R"({"non_field_errors": [], "fields": [
    {"name": ["Unknown field 'colour'."], "value": [], "add_values": [], "remove_values": []},
    {"value": {"0": ["Not a valid UUID."]}, "add_values": ["Not allowed for a single-value field."], "remove_values": []}]})");
}

// ---- loading
// ---------------------------------------------------------------------------------------

TEST(openapi_kizen_contract, loads_the_project_document_once) {
  EXPECT_EQ(&openapi_validator::kizen(), &openapi_validator::kizen());
  EXPECT_EQ(&loaded_at_static_init, &openapi_validator::kizen());
  EXPECT_TRUE(kizen().documents("GET", record_path, 200));
}

// ---- EntityRecordDetail
// ---------------------------------------------------------------------------

TEST(openapi_kizen_entity_record_detail, realistic_record_is_valid) {
  EXPECT_THAT(kizen().validate_schema(record(), "EntityRecordDetail"), IsEmpty());
  json::value no_fields = record();
  no_fields.as_object()["fields"] = json::object();  // blank fields are omitted: none at all is fine
  EXPECT_THAT(kizen().validate_schema(no_fields, "EntityRecordDetail"), IsEmpty());
}

TEST(openapi_kizen_entity_record_detail, mutations_are_reported_at_their_place) {
  auto mutated = [](auto change) {
    json::value r = record();
    change(r.as_object());
    return kizen().validate_schema(r, "EntityRecordDetail");
  };
  EXPECT_THAT(mutated([](json::object& o) { o.erase("id"); }), only("$: required property 'id' missing"));
  EXPECT_THAT(mutated([](json::object& o) { o.erase("access"); }), only("$: required property 'access' missing"));
  EXPECT_THAT(mutated([](json::object& o) { o["id"] = "8c5a1f3e"; }), only("$.id: string \"8c5a1f3e\" is not a uuid"));
  EXPECT_THAT(mutated([](json::object& o) { o["num_upcoming_activities"] = "0"; }),
              only("$.num_upcoming_activities: expected integer, got string"));
  EXPECT_THAT(mutated([](json::object& o) { o["num_associated_team_members"] = 1.5; }),
              only("$.num_associated_team_members: expected integer, got number"));
  EXPECT_THAT(mutated([](json::object& o) { o["object_type"] = nullptr; }),
              only("$.object_type: expected string, got null"));
  EXPECT_THAT(mutated([](json::object& o) { o["lead_source_types"].as_array()[0].as_object()["value"] = "tv"; }),
              only("$.lead_source_types[0].value: value \"tv\" is not one of"));
  EXPECT_THAT(mutated([](json::object& o) { o["lead_source_types"].as_array()[0].as_object().erase("label"); }),
              only("$.lead_source_types[0]: required property 'label' missing"));
  EXPECT_THAT(mutated([](json::object& o) { o["client_info"].as_object().erase("email_on_suppression_list"); }),
              only("$.client_info: required property 'email_on_suppression_list' missing"));
  EXPECT_THAT(mutated([](json::object& o) { o["access"].as_object()["view"] = "yes"; }),
              only("$.access.view: expected boolean, got string"));
  EXPECT_THAT(mutated([](json::object& o) { o["fields"] = json::array(); }),
              only("$.fields: expected object (Fields: a map keyed by field UUID), got array"));
}

// ---- Fields: a map keyed by field UUID (reading 1)
// --------------------------------------------------

// Literally, `Fields` is an object with one required property named `id`; drf-spectacular writes
// a dict keyed by field UUID that way. Read literally, every real record would fail (no `id`
// key) and the literal shape ({"id": {...}}) would pass: both wrong, as these tests show.
TEST(openapi_kizen_fields_reading, keys_are_field_uuids_values_are_serialized_field_value_dicts) {
  json::value r = record();
  json::object& fields = r.as_object()["fields"].as_object();
  fields[name_field].as_object().erase("field_type");
  EXPECT_THAT(kizen().validate_schema(r, "EntityRecordDetail"),
              only(std::string("$.fields['") + name_field + "']: required property 'field_type' missing"));

  r = record();
  r.as_object()["fields"].as_object()[name_field].as_object()["display_name"] = 7;
  EXPECT_THAT(kizen().validate_schema(r, "EntityRecordDetail"),
              only(std::string("$.fields['") + name_field + "'].display_name: expected string, got integer"));

  r = record();
  r.as_object()["fields"].as_object()["name"] = r.as_object()["fields"].as_object()[name_field];
  EXPECT_THAT(kizen().validate_schema(r, "EntityRecordDetail"),
              only("$.fields.name: key is not a field UUID (Fields is a map keyed by field UUID)"));
}

TEST(openapi_kizen_fields_reading, the_literal_shape_is_rejected_and_an_empty_map_accepted) {
  const char* literal = R"({"id": {"id": "x", "field_type": "text", "display_name": "X", "value": "v"}})";
  EXPECT_THAT(kizen().validate_schema(j(literal), "Fields"), only("$.id: key is not a field UUID"));
  EXPECT_THAT(kizen().validate_schema(j("{}"), "Fields"), IsEmpty());
  EXPECT_THAT(kizen().validate_schema(j("null"), "Fields"), only("$: expected object"));
}

// ---- free-form values (reading 2)
// -------------------------------------------------------------------

// `{"type":"object","additionalProperties":{}}` is the generator's free-form JSON field; field
// values are strings, numbers, booleans, lists and objects (API-NOTES.md). A literal reading
// would reject every string, number, boolean and list value.
TEST(openapi_kizen_value_reading, serialized_field_value_takes_any_json_value_and_null) {
  for (const char* value :
       {R"("Acme")", "42", "1.5", "false", R"([{"id":"x"}])", R"({"id":"x","name":"Won"})", "null"}) {
    json::value entry = j(R"({"id":"x","display_name":"X","field_type":"text"})");
    entry.as_object()["value"] = j(value);
    EXPECT_THAT(kizen().validate_schema(entry, "SerializedFieldValueDict"), IsEmpty()) << value;
  }
  // Still required, even when null is allowed.
  EXPECT_THAT(
      kizen().validate_schema(j(R"({"id":"x","display_name":"X","field_type":"text"})"), "SerializedFieldValueDict"),
      only("$: required property 'value' missing"));
}

TEST(openapi_kizen_value_reading, field_request_value_is_free_form_and_nullable_as_documented) {
  for (const char* value :
       {R"("a@b.c")", "3", "true", R"({"id":"9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d"})", "[]", "null"}) {
    std::string body = std::string(R"({"name":"email","value":)") + value + "}";
    EXPECT_THAT(kizen().validate_schema(j(body), "FieldRequest"), IsEmpty()) << body;
  }
  EXPECT_THAT(kizen().validate_schema(j(R"({"name":""})"), "FieldRequest"), only("$.name: string of 0 characters"));
  EXPECT_THAT(kizen().validate_schema(j(R"({"id":"email"})"), "FieldRequest"),
              only("$.id: string \"email\" is not a uuid"));
}

TEST(openapi_kizen_value_reading, filter_objects_stay_objects) {
  // FilterQueryRequest.filters items have the free-form shape but are list elements: real objects.
  EXPECT_THAT(kizen().validate_schema(j(R"({"filters":[{"type":"fields","condition":"="}]})"), "FilterQueryRequest"),
              IsEmpty());
  EXPECT_THAT(kizen().validate_schema(j(R"({"filters":["updated > x"]})"), "FilterQueryRequest"),
              only("$.filters[0]: expected object, got string"));
}

// ---- PaginatedEntityRecordListList
// ---------------------------------------------------------------------

TEST(openapi_kizen_search_page, realistic_page_is_valid) {
  EXPECT_THAT(kizen().validate_schema(search_page(), "PaginatedEntityRecordListList"), IsEmpty());
  json::value last = search_page();
  last.as_object()["next"] = nullptr;
  last.as_object()["previous"] = "https://app.go.kizen.com/api/records/deals/search?page=1";
  last.as_object()["errors"] = json::array{"field 'x' ignored"};
  EXPECT_THAT(kizen().validate_schema(last, "PaginatedEntityRecordListList"), IsEmpty());
}

TEST(openapi_kizen_search_page, mutations_are_reported_at_their_place) {
  auto mutated = [](auto change) {
    json::value p = search_page();
    change(p.as_object());
    return kizen().validate_schema(p, "PaginatedEntityRecordListList");
  };
  EXPECT_THAT(mutated([](json::object& o) { o.erase("results"); }), only("$: required property 'results' missing"));
  EXPECT_THAT(mutated([](json::object& o) { o["count"] = "2"; }), only("$.count: expected integer, got string"));
  EXPECT_THAT(mutated([](json::object& o) { o["next"] = "/api/records/deals/search?page=2"; }),
              only("$.next: string \"/api/records/deals/search?page=2\" is not an absolute http(s) URL"));
  EXPECT_THAT(mutated([](json::object& o) { o["errors"] = "boom"; }),
              only("$.errors: matches none of the oneOf alternatives"));
  EXPECT_THAT(mutated([](json::object& o) { o["results"].as_array()[1].as_object().erase("client_info"); }),
              only("$.results[1]: required property 'client_info' missing"));
  EXPECT_THAT(mutated([](json::object& o) { o["results"].as_array()[0].as_object()["id"] = "deal-1"; }),
              only("$.results[0].id: string \"deal-1\" is not a uuid"));
  EXPECT_THAT(mutated([](json::object& o) {
                o["results"].as_array()[0].as_object()["fields"].as_object()[name_field].as_object().erase("id");
              }),
              only(std::string("$.results[0].fields['") + name_field + "']: required property 'id' missing"));
}

// ---- UpsertRecordResponse
// -------------------------------------------------------------------------

TEST(openapi_kizen_upsert_answer, every_action_is_valid_and_action_is_required_and_enumerated) {
  for (const char* action : {"created", "updated", "unarchived"})
    EXPECT_THAT(kizen().validate_schema(upsert_answer(action), "UpsertRecordResponse"), IsEmpty()) << action;
  json::value r = record();
  EXPECT_THAT(kizen().validate_schema(r, "UpsertRecordResponse"), only("$: required property 'action' missing"));
  EXPECT_THAT(kizen().validate_schema(upsert_answer("deleted"), "UpsertRecordResponse"),
              only("$.action: value \"deleted\" is not one of [\"created\",\"updated\",\"unarchived\"]"));
  json::value bad = upsert_answer("created");
  bad.as_object()["client_info"].as_object()["num_addresses_v2"] = true;
  EXPECT_THAT(kizen().validate_schema(bad, "UpsertRecordResponse"),
              only("$.client_info.num_addresses_v2: expected integer, got boolean"));
}

// ---- PaginatedFieldValuesList (oneOf of two item shapes)
// -------------------------------------------

TEST(openapi_kizen_field_values_page, both_item_shapes_are_valid) {
  EXPECT_THAT(kizen().validate_schema(field_values_page(), "PaginatedFieldValuesList"), IsEmpty());
}

TEST(openapi_kizen_field_values_page, item_matching_neither_or_both_shapes_is_reported) {
  json::value p = field_values_page();
  p.as_object()["results"].as_array()[0].as_object().erase("display_name");
  auto out = kizen().validate_schema(p, "PaginatedFieldValuesList");
  ASSERT_THAT(out, SizeIs(1));
  EXPECT_THAT(out[0], HasSubstr("$.results[0]: matches none of the oneOf alternatives"));
  EXPECT_THAT(out[0], HasSubstr("[RelationshipFieldValue: $.results[0]: required property 'display_name' missing]"));

  p = field_values_page();
  p.as_object()["results"].as_array()[1].as_object()["id"] = "ann";
  out = kizen().validate_schema(p, "PaginatedFieldValuesList");
  ASSERT_THAT(out, SizeIs(1));
  EXPECT_THAT(out[0], HasSubstr("$.results[1].id: string \"ann\" is not a uuid"));

  p = field_values_page();
  p.as_object()["results"].as_array()[1].as_object()["name"] = "Ann Lee";  // now fits both shapes
  EXPECT_THAT(kizen().validate_schema(p, "PaginatedFieldValuesList"),
              only("$.results[1]: matches 2 oneOf alternatives (ClientTypeaheadSearch, "
                   "RelationshipFieldValue)"));
}

// ---- ErrorResponse
// ----------------------------------------------------------------------------------

TEST(openapi_kizen_error_answer, spec_shaped_error_is_valid) {
  EXPECT_THAT(kizen().validate_schema(error_answer(), "ErrorResponse"), IsEmpty());
  EXPECT_THAT(kizen().validate_schema(j(R"({"fields": []})"), "ErrorResponse"), IsEmpty());
}

TEST(openapi_kizen_error_answer, mutations_are_reported_at_their_place) {
  // DRF's plain {"detail": ...} is not an ErrorResponse: 400 answers must use the spec's shape.
  EXPECT_THAT(kizen().validate_schema(j(R"({"detail": "Bad request."})"), "ErrorResponse"),
              only("$: required property 'fields' missing"));
  json::value e = error_answer();
  e.as_object()["fields"].as_array()[0].as_object().erase("remove_values");
  EXPECT_THAT(kizen().validate_schema(e, "ErrorResponse"),
              only("$.fields[0]: required property 'remove_values' missing"));
  e = error_answer();
  e.as_object()["fields"].as_array()[1].as_object()["value"] = json::array{1};
  EXPECT_THAT(kizen().validate_schema(e, "ErrorResponse"),
              only("$.fields[1].value: matches none of the oneOf alternatives"));
  e = error_answer();
  e.as_object()["non_field_errors"] = "oops";
  EXPECT_THAT(kizen().validate_schema(e, "ErrorResponse"), only("$.non_field_errors: expected array, got string"));
}

// ---- operations: documents, validate_response, match_path
// -------------------------------------------

TEST(openapi_kizen_operations, documents_every_response_schema_of_the_contract) {
  EXPECT_TRUE(kizen().documents("GET", record_path, 200));
  EXPECT_TRUE(kizen().documents("PUT", record_path, 200));
  EXPECT_TRUE(kizen().documents("PUT", record_path, 400));
  EXPECT_TRUE(kizen().documents("patch", record_path, 200));
  EXPECT_TRUE(kizen().documents("Patch", record_path, 400));
  EXPECT_TRUE(kizen().documents("POST", "/api/records/{object_identifier}/add", 200));
  EXPECT_TRUE(kizen().documents("POST", "/api/records/{object_identifier}/add", 400));
  EXPECT_TRUE(kizen().documents("GET", "/api/records/{object_identifier}/lookup", 200));
  EXPECT_TRUE(kizen().documents("POST", "/api/records/{object_identifier}/search", 200));
  EXPECT_TRUE(kizen().documents("POST", "/api/records/{object_identifier}/upsert", 200));
  EXPECT_TRUE(kizen().documents("POST", "/api/records/{object_identifier}/upsert", 201));
  EXPECT_TRUE(kizen().documents("POST", "/api/records/{object_identifier}/upsert", 400));
  EXPECT_TRUE(kizen().documents("GET", "/api/records/{entity_id}/field-values/{field_id}", 200));

  EXPECT_FALSE(kizen().documents("DELETE", record_path, 204));  // no body
  EXPECT_FALSE(kizen().documents("GET", record_path, 404));     // not in the contract
  EXPECT_FALSE(kizen().documents("GET", record_path, 400));
  EXPECT_FALSE(kizen().documents("POST", "/api/records/{object_identifier}/search", 400));
  EXPECT_FALSE(kizen().documents("POST", "/api/records/{object_identifier}/upsert", 204));
  EXPECT_FALSE(kizen().documents("GET", "/api/records/{object_identifier}/search", 200));
  EXPECT_FALSE(kizen().documents("PATCH", "/api/records/{object_identifier}/{entity_id}/unarchive", 200));
}

TEST(openapi_kizen_operations, validate_response_uses_the_operations_schema) {
  EXPECT_THAT(kizen().validate_response("GET", record_path, 200, record()), IsEmpty());
  EXPECT_THAT(
      kizen().validate_response("post", "/api/records/{object_identifier}/upsert", 201, upsert_answer("created")),
      IsEmpty());
  // A record is not an upsert answer (no action), nor a search page.
  EXPECT_THAT(kizen().validate_response("POST", "/api/records/{object_identifier}/upsert", 200, record()),
              only("$: required property 'action' missing"));
  EXPECT_THAT(kizen().validate_response("POST", "/api/records/{object_identifier}/search", 200, record()),
              has("$: required property 'results' missing"));
  EXPECT_THAT(kizen().validate_response("POST", "/api/records/{object_identifier}/search", 200, search_page()),
              IsEmpty());
  EXPECT_THAT(kizen().validate_response("PATCH", record_path, 400, error_answer()), IsEmpty());
  EXPECT_THAT(
      kizen().validate_response("GET", "/api/records/{entity_id}/field-values/{field_id}", 200, field_values_page()),
      IsEmpty());
  EXPECT_THAT(kizen().validate_response("DELETE", record_path, 204, nullptr), IsEmpty());
  EXPECT_THAT(kizen().validate_response("GET", record_path, 404, j(R"({"detail":"Not found."})")),
              only("$: GET /api/records/{object_identifier}/{entity_id} documents no 404 response"));
  json::value bad = record();
  bad.as_object()["fields"].as_object()[name_field].as_object()["field_type"] = 3;
  EXPECT_THAT(kizen().validate_response("PUT", record_path, 200, bad),
              only(std::string("$.fields['") + name_field + "'].field_type: expected string, got integer"));
}

TEST(openapi_kizen_operations, match_path_maps_every_concrete_request) {
  const std::string id = "8c5a1f3e-2b4d-4e6f-8a9b-0c1d2e3f4a5b";
  for (const char* method : {"GET", "PUT", "PATCH", "DELETE", "get"})
    EXPECT_EQ(kizen().match_path(method, "/api/records/deals/" + id), record_path) << method;
  EXPECT_EQ(kizen().match_path("POST", "/api/records/deals/search"), "/api/records/{object_identifier}/search");
  EXPECT_EQ(kizen().match_path("POST", "/api/records/deals/search?page=2&page_size=50"),
            "/api/records/{object_identifier}/search");
  EXPECT_EQ(kizen().match_path("POST", "/api/records/client_client/upsert"), "/api/records/{object_identifier}/upsert");
  EXPECT_EQ(kizen().match_path("POST", "/api/records/deals/add"), "/api/records/{object_identifier}/add");
  // GET .../lookup also fits {entity_id}: the literal segment wins.
  EXPECT_EQ(kizen().match_path("GET", "/api/records/client_client/lookup?identifier=a%40b.c"),
            "/api/records/{object_identifier}/lookup");
  EXPECT_EQ(kizen().match_path("GET", "/api/records/" + id + "/field-values/" + id + "?page=2"),
            "/api/records/{entity_id}/field-values/{field_id}");
  // No template: wrong method, extra or missing or empty segments, outside /api/records.
  EXPECT_EQ(kizen().match_path("POST", "/api/records/deals/" + id), "");
  EXPECT_EQ(kizen().match_path("GET", "/api/records/deals/search"),
            record_path);  // GET: only {entity_id} fits
  EXPECT_EQ(kizen().match_path("PATCH", "/api/records/deals/" + id + "/unarchive"), "");
  EXPECT_EQ(kizen().match_path("GET", "/api/records/deals"), "");
  EXPECT_EQ(kizen().match_path("GET", "/api/records//" + id), "");
  EXPECT_EQ(kizen().match_path("GET", "/api/custom-objects"), "");
  EXPECT_EQ(kizen().match_path("GET", "api/records/deals/" + id), "");
  EXPECT_EQ(kizen().match_path("BREW", "/api/records/deals/" + id), "");
}

}  // namespace
}  // namespace ks::test
