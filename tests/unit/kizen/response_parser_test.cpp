#include "connectors/kizen/response_parser.hpp"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>
#include <string>

namespace ks::kizen {
namespace {

using namespace std::chrono;

constexpr const char* contact = R"({
  "id": "0f8fad5b-d9cb-469f-a165-70867728950e",
  "object_type": "client",
  "access": {"view": true, "edit": true, "remove": true},
  "client_info": {"display_name": "Ann", "email_on_suppression_list": false, "num_addresses_v2": 0},
  "created": "2024-12-30T10:00:00.000Z",
  "updated": "2024-12-31T06:00:00.250Z",
  "fields": {
    "11111111-1111-4111-8111-111111111111": {"id": "11111111-1111-4111-8111-111111111111", "name": "email",
       "display_name": "Email", "field_type": "email", "value": "ann@example.com"},
    "22222222-2222-4222-8222-222222222222": {"id": "22222222-2222-4222-8222-222222222222", "name": "stage",
       "display_name": "Stage", "field_type": "dropdown", "value": {"id": "o1", "name": "Won"}},
    "33333333-3333-4333-8333-333333333333": {"id": "33333333-3333-4333-8333-333333333333", "name": "companies",
       "display_name": "Companies", "field_type": "relationship", "value_summary": {"count": 250}}
  }
})";

TEST(response_parser, record_with_fields_keyed_by_uuid) {
  auto r = response_parser::parse_record(contact);
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->id, "0f8fad5b-d9cb-469f-a165-70867728950e");
  EXPECT_EQ(r->object_type, "client");
  ASSERT_EQ(r->fields.size(), 3u);
  const auto* email = r->field("email");
  ASSERT_NE(email, nullptr);
  EXPECT_EQ(email->id, "11111111-1111-4111-8111-111111111111");
  EXPECT_EQ(email->display_name, "Email");
  EXPECT_EQ(email->field_type, "email");
  EXPECT_EQ(email->value.as_string(), "ann@example.com");
  EXPECT_FALSE(email->summary_count);
  const auto* stage = r->field_by_id("22222222-2222-4222-8222-222222222222");
  ASSERT_NE(stage, nullptr);
  EXPECT_EQ(stage->value.at("name").as_string(), "Won");
  const auto* companies = r->field("companies");
  ASSERT_NE(companies, nullptr);
  EXPECT_EQ(companies->summary_count, 250);
  EXPECT_TRUE(companies->value.is_null());
  EXPECT_EQ(r->created_text, "2024-12-30T10:00:00.000Z");
  EXPECT_EQ(r->updated_text, "2024-12-31T06:00:00.250Z");
  EXPECT_EQ(r->updated, parse_timestamp("2024-12-31T06:00:00.250Z"));
  EXPECT_EQ(r->field("nope"), nullptr);
}

TEST(response_parser, timestamps_fall_back_to_the_builtin_fields) {
  auto r = response_parser::parse_record(R"({"id": "x1", "fields": {
    "a": {"id": "a", "name": "created", "field_type": "datetime", "value": "2024-01-01T00:00:00Z"},
    "b": {"id": "b", "name": "updated", "field_type": "datetime", "value": "2024-02-01T12:30:00.125+01:00"}}})");
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->created_text, "2024-01-01T00:00:00Z");
  EXPECT_EQ(format_timestamp(*r->updated), "2024-02-01T11:30:00.125Z");
}

TEST(response_parser, record_without_timestamps_or_optional_keys) {
  auto r = response_parser::parse_record(R"({"id": "x1", "fields": {"k": {"value": 3}}})");
  ASSERT_TRUE(r) << r.error();
  EXPECT_FALSE(r->updated);
  EXPECT_FALSE(r->created_text);
  ASSERT_EQ(r->fields.size(), 1u);
  EXPECT_EQ(r->fields[0].id, "k");  // the key stands in for a missing id
  EXPECT_EQ(r->fields[0].name, "");
  EXPECT_EQ(r->fields[0].value.as_int64(), 3);
  auto nulls = response_parser::parse_record(
      R"({"id": "x1", "object_type": null, "fields": {"k": {"name": null, "value": null}}})");
  ASSERT_TRUE(nulls) << nulls.error();
}

TEST(response_parser, search_page) {
  const std::string body =
      std::string(R"({"count": 3, "next": "https://app.go.kizen.com/api/records/client_client/search?page=2",
    "previous": null, "errors": null, "results": [)") +
      contact + "," + contact + "]}";
  auto p = response_parser::parse_record_page(body);
  ASSERT_TRUE(p) << p.error();
  EXPECT_EQ(p->count, 3);
  EXPECT_EQ(p->next, "https://app.go.kizen.com/api/records/client_client/search?page=2");
  EXPECT_FALSE(p->previous);
  ASSERT_EQ(p->results.size(), 2u);
  EXPECT_EQ(p->results[1].field("email")->value.as_string(), "ann@example.com");

  auto last = response_parser::parse_record_page(R"({"count": 0, "next": null, "results": [], "errors": ["slow"]})");
  ASSERT_TRUE(last) << last.error();
  EXPECT_FALSE(last->next);
  ASSERT_EQ(last->errors.size(), 1u);
  EXPECT_EQ(last->errors[0], "slow");
}

TEST(response_parser, upsert_result) {
  const std::string created = std::string(contact).insert(1, R"("action": "created",)");
  auto c = response_parser::parse_upsert(created, 201);
  ASSERT_TRUE(c) << c.error();
  EXPECT_EQ(c->action, upsert_action::created);
  EXPECT_TRUE(c->created);
  EXPECT_EQ(c->rec.id, "0f8fad5b-d9cb-469f-a165-70867728950e");

  const std::string updated = std::string(contact).insert(1, R"("action": "updated",)");
  auto u = response_parser::parse_upsert(updated, 200);
  ASSERT_TRUE(u) << u.error();
  EXPECT_EQ(u->action, upsert_action::updated);
  EXPECT_FALSE(u->created);

  const std::string unarchived = std::string(contact).insert(1, R"("action": "unarchived",)");
  auto a = response_parser::parse_upsert(unarchived, 200);
  ASSERT_TRUE(a) << a.error();
  EXPECT_EQ(a->action, upsert_action::unarchived);
  EXPECT_FALSE(a->created);

  const std::string odd = std::string(contact).insert(1, R"("action": "merged",)");
  auto bad = response_parser::parse_upsert(odd, 200);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error(), "upsert result: action: 'merged' is not one of created, updated, unarchived");

  // Without "action", the status still tells.
  auto by_status = response_parser::parse_upsert(contact, 201);
  ASSERT_TRUE(by_status) << by_status.error();
  EXPECT_TRUE(by_status->created);
}

TEST(response_parser, field_values_page) {
  auto p = response_parser::parse_field_values_page(R"({"count": 2, "next": null, "previous": null, "results": [
      {"id": "r1", "name": "Acme", "display_name": "Acme Inc"},
      {"id": "c1", "first_name": "Ann", "last_name": "Lee", "full_name": "Ann Lee", "email": "ann@x.com", "display_name": "Ann Lee"}]})");
  ASSERT_TRUE(p) << p.error();
  ASSERT_EQ(p->results.size(), 2u);
  EXPECT_EQ(p->results[0].name, "Acme");
  EXPECT_EQ(p->results[1].email, "ann@x.com");
  EXPECT_EQ(p->results[1].full_name, "Ann Lee");
}

TEST(response_parser, objects_page_and_bare_array) {
  auto p = response_parser::parse_objects_page(R"({"count": 2, "next": null, "results": [
      {"id": "o-1", "name": "client_client", "display_name": "Contacts"},
      {"id": "o-2", "name": "company"}]})");
  ASSERT_TRUE(p) << p.error();
  ASSERT_EQ(p->results.size(), 2u);
  EXPECT_EQ(p->results[0].name, "client_client");
  EXPECT_EQ(p->results[1].display_name, "");
  auto bare = response_parser::parse_objects_page(R"([{"id": "o-1", "name": "client_client"}])");
  ASSERT_TRUE(bare) << bare.error();
  EXPECT_EQ(bare->count, 1);
  EXPECT_FALSE(bare->next);
}

TEST(response_parser, field_metadata_with_options_and_relation) {
  auto p = response_parser::parse_fields_page(R"({"count": 3, "next": null, "results": [
      {"id": "f1", "name": "email", "display_name": "Email", "field_type": "email", "is_default": true},
      {"id": "f2", "name": "stage", "display_name": "Stage", "field_type": "dropdown", "is_default": false,
       "options": [{"id": "o1", "name": "New"}, {"id": "o2", "name": "Won", "code": "won"}]},
      {"id": "f3", "name": "company", "display_name": "Company", "field_type": "relationship",
       "relation": {"related_object": {"id": "obj-9", "name": "company"}, "cardinality": "many_to_one"}}]})");
  ASSERT_TRUE(p) << p.error();
  ASSERT_EQ(p->results.size(), 3u);
  EXPECT_TRUE(p->results[0].is_default);
  EXPECT_FALSE(p->results[0].relation);
  ASSERT_EQ(p->results[1].options.size(), 2u);
  ASSERT_NE(p->results[1].option("Won"), nullptr);
  EXPECT_EQ(p->results[1].option("Won")->id, "o2");
  EXPECT_EQ(p->results[1].option("won"), nullptr);
  ASSERT_TRUE(p->results[2].relation);
  EXPECT_EQ(p->results[2].relation->related_object_id, "obj-9");
  EXPECT_EQ(p->results[2].relation->related_object_name, "company");
  EXPECT_EQ(p->results[2].relation->cardinality, "many_to_one");
}

// ---- malformed bodies: a clear error, never a throw or a crash ----

std::string record_error(std::string_view body) {
  auto r = response_parser::parse_record(body);
  EXPECT_FALSE(r) << body;
  return r ? std::string() : r.error();
}

std::string page_error(std::string_view body) {
  auto r = response_parser::parse_record_page(body);
  EXPECT_FALSE(r) << body;
  return r ? std::string() : r.error();
}

TEST(response_parser_malformed, not_json) {
  EXPECT_EQ(record_error(""), "record: empty body, expected JSON");
  EXPECT_EQ(record_error("<html>502 Bad Gateway</html>").rfind("record: invalid JSON at byte 0", 0), 0u);
  EXPECT_EQ(record_error(R"({"id": "x", "fields": {}} trailing)"),
            "record: unexpected data after the JSON value at byte 26");
}

TEST(response_parser_malformed, truncated) {
  const std::string full = contact;
  for (std::size_t n : {1ul, 10ul, full.size() / 2, full.size() - 1}) {
    const auto e = record_error(full.substr(0, n));
    EXPECT_NE(e.find("truncated JSON"), std::string::npos) << n << ": " << e;
  }
}

TEST(response_parser_malformed, invalid_utf8) {
  const auto e = record_error("{\"id\": \"x\xff\xfe\", \"fields\": {}}");
  EXPECT_EQ(e, "record: invalid UTF-8 at byte 9");
  const auto overlong = record_error("{\"id\": \"\xc0\xaf\", \"fields\": {}}");
  EXPECT_NE(overlong.find("invalid UTF-8"), std::string::npos) << overlong;
}

TEST(response_parser_malformed, wrong_types_name_the_place) {
  EXPECT_EQ(record_error("[]"), "record: expected object, got an array");
  EXPECT_EQ(record_error(R"({"id": 7, "fields": {}})"), "record: id: expected string, got a number");
  EXPECT_EQ(record_error(R"({"id": "", "fields": {}})"), "record: id: must not be empty");
  EXPECT_EQ(record_error(R"({"id": "x", "fields": []})"), "record: fields: expected object, got an array");
  EXPECT_EQ(record_error(R"({"id": "x", "fields": {"f1": "v"}})"),
            "record: fields[\"f1\"]: expected object, got a string");
  EXPECT_EQ(record_error(R"({"id": "x", "fields": {"f1": {"name": 3}}})"),
            "record: fields[\"f1\"].name: expected string, got a number");
  EXPECT_EQ(record_error(R"({"id": "x", "fields": {"f1": {"value_summary": {"count": "many"}}}})"),
            "record: fields[\"f1\"].value_summary.count: expected integer, got a string");
  EXPECT_EQ(record_error(R"({"id": "x", "fields": {}, "updated": "yesterday"})"),
            "record: updated: 'yesterday' is not an ISO-8601 timestamp");
  EXPECT_EQ(record_error(R"({"id": "x", "fields": {"f": {"name": "updated", "value": 5}}})"),
            "record: fields[\"f\"].value: expected a timestamp string, got a number");
  EXPECT_EQ(page_error(R"({"count": 1, "results": [{"id": "a", "fields": {}}, {"id": "b", "fields": {}},
                          {"id": "c", "fields": {}}, {"id": "d", "fields": 5}]})"),
            "search page: results[3].fields: expected object, got a number");
  EXPECT_EQ(page_error(R"({"count": 1, "results": {}})"), "search page: results: expected array, got an object");
  EXPECT_EQ(page_error(R"({"count": 1, "next": 2, "results": []})"),
            "search page: next: expected string, got a number");
  EXPECT_EQ(page_error(R"("just a string")"), "search page: expected object, got a string");
}

TEST(response_parser_malformed, missing_required_keys) {
  EXPECT_EQ(record_error(R"({"fields": {}})"), "record: id: missing");
  EXPECT_EQ(record_error(R"({"id": "x"})"), "record: fields: missing");
  EXPECT_EQ(page_error(R"({"results": []})"), "search page: count: missing");
  EXPECT_EQ(page_error(R"({"count": 0})"), "search page: results: missing");
  EXPECT_EQ(record_error(R"({"id": "x", "fields": {"f": {"value_summary": {}}}})"),
            "record: fields[\"f\"].value_summary.count: missing");
  auto fields = response_parser::parse_fields_page(R"([{"id": "f1", "name": "email"}])");
  ASSERT_FALSE(fields);
  EXPECT_EQ(fields.error(), "fields page: [0].field_type: missing");
  auto objects = response_parser::parse_objects_page(R"({"count": 1, "results": [{"name": "company"}]})");
  ASSERT_FALSE(objects);
  EXPECT_EQ(objects.error(), "objects page: results[0].id: missing");
  auto values = response_parser::parse_field_values_page(R"({"count": 1, "results": [{"name": "x"}]})");
  ASSERT_FALSE(values);
  EXPECT_EQ(values.error(), "field-values page: results[0].id: missing");
}

TEST(response_parser_malformed, huge_and_odd_numbers) {
  EXPECT_EQ(page_error(R"({"count": 1e999, "results": []})"), "search page: count: expected an integer, got Infinity");
  EXPECT_EQ(page_error(R"({"count": 99999999999999999999999, "results": []})"),
            "search page: count: expected an integer, got 1E23");
  EXPECT_EQ(page_error(R"({"count": 18446744073709551615, "results": []})"), "search page: count: number out of range");
  EXPECT_EQ(page_error(R"({"count": -1, "results": []})"), "search page: count: must not be negative");
  EXPECT_EQ(page_error(R"({"count": 2.5, "results": []})"), "search page: count: expected an integer, got 2.5E0");
  EXPECT_EQ(record_error(R"({"id": "x", "fields": {"f": {"value": [1, {"n": -1e400}]}}})"),
            "record: fields[\"f\"].value[1][\"n\"]: number out of range");
  // A big but finite number is passed on as it is: converting it is the caller's business.
  auto big =
      response_parser::parse_record(R"({"id": "x", "fields": {"f": {"value": 123456789012345678901234567890}}})");
  ASSERT_TRUE(big) << big.error();
  EXPECT_TRUE(big->fields[0].value.is_double());
}

TEST(response_parser_malformed, deep_nesting_is_refused_not_recursed) {
  std::string deep = R"({"id": "x", "fields": {"f": {"value": )";
  for (int i = 0; i < 100000; ++i) deep += '[';
  const auto e = record_error(deep);
  EXPECT_NE(e.find("nested deeper than"), std::string::npos) << e;
}

TEST(response_parser_malformed, never_throws_on_random_mutations) {
  // Every prefix and a byte-flipped copy of a valid body: the parser answers, it never throws.
  const std::string full = std::string(R"({"count": 1, "next": null, "results": [)") + contact + "]}";
  for (std::size_t i = 0; i < full.size(); ++i) {
    std::string flipped = full;
    flipped[i] = static_cast<char>(flipped[i] ^ 0x5a);
    EXPECT_NO_THROW({
      auto r = response_parser::parse_record_page(flipped);
      (void)r;
    });
    EXPECT_NO_THROW({
      auto r = response_parser::parse_record_page(full.substr(0, i));
      (void)r;
    });
    EXPECT_NO_THROW({
      auto r = response_parser::parse_upsert(flipped, 200);
      (void)r;
    });
    EXPECT_NO_THROW({
      auto r = response_parser::parse_fields_page(flipped);
      (void)r;
    });
    EXPECT_NO_THROW({
      auto s = response_parser::describe_error_body(flipped);
      (void)s;
    });
  }
}

// ---- error bodies ----

TEST(describe_error_body, detail_and_code) {
  EXPECT_EQ(response_parser::describe_error_body(R"({"detail": "Not found."})"), "Not found.");
  EXPECT_EQ(response_parser::describe_error_body(R"({"code": "missing_business_context"})"),
            "code: missing_business_context");
  EXPECT_EQ(response_parser::describe_error_body(R"({"detail": "Invalid token.", "code": "auth_failed"})"),
            "Invalid token.; code: auth_failed");
}

TEST(describe_error_body, error_response_with_positional_field_entries) {
  const auto m = response_parser::describe_error_body(R"({
      "non_field_errors": ["Record name must be unique."],
      "fields": [{}, {"value": ["Enter a valid email address."]},
                 {"name": ["Unknown field."]},
                 {"add_values": {"0": ["Not a valid option."]}}, {"remove_values": ["Not present."]}]})");
  EXPECT_EQ(m,
            "Record name must be unique.; fields[1].value: Enter a valid email address.; "
            "fields[2].name: Unknown field.; fields[3].add_values.0: Not a valid option.; "
            "fields[4].remove_values: Not present.");
}

TEST(describe_error_body, field_to_messages_dict) {
  EXPECT_EQ(response_parser::describe_error_body(R"({"email": ["Enter a valid email address."], "name": "Required."})"),
            "email: Enter a valid email address.; name: Required.");
  EXPECT_EQ(response_parser::describe_error_body(R"({"fields": {"lead_score": ["A valid integer is required."]}})"),
            "fields.lead_score: A valid integer is required.");
  EXPECT_EQ(response_parser::describe_error_body(R"(["Something broke."])"), "Something broke.");
}

TEST(describe_error_body, non_json_and_empty) {
  EXPECT_EQ(response_parser::describe_error_body(""), "");
  EXPECT_EQ(response_parser::describe_error_body("  \n"), "");
  EXPECT_EQ(response_parser::describe_error_body("<h1>Bad Gateway</h1>\n"), "\"<h1>Bad Gateway</h1>\"");
  EXPECT_EQ(response_parser::describe_error_body(
                "<html>\n<head><title>502 Bad Gateway</title></head>\n  <body></body>\n</html>\n"),
            "\"<html> <head><title>502 Bad Gateway</title></head> <body></body> </html>\"");
  EXPECT_EQ(response_parser::describe_error_body("bin\xff\x01"), "\"bin??\"");
  const auto long_body = response_parser::describe_error_body(std::string(5000, 'x'));
  EXPECT_LT(long_body.size(), 400u);
}

TEST(describe_error_body, keeps_utf8_text_and_bounds_length) {
  EXPECT_EQ(response_parser::describe_error_body(R"({"detail": "Caf\u00e9 introuvable."})"),
            "Caf\xc3\xa9 introuvable.");
  std::string many = R"({"detail": [)";
  for (int i = 0; i < 500; ++i) many += std::string(i ? "," : "") + R"("message number )" + std::to_string(i) + "\"";
  many += "]}";
  EXPECT_LE(response_parser::describe_error_body(many).size(), 1100u);
}

}  // namespace
}  // namespace ks::kizen
