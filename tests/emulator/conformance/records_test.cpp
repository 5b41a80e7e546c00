// add / GET / PATCH / PUT / DELETE: value formats, validation, partial and full updates.
#include "conformance_fixture.hpp"

namespace kizen_emulator::conformance {
namespace {

class emulator_records : public emulator_test {
 protected:
  // A company with a value in every field type the schema has.
  json::object full_company() {
    return add("companies", fields_of({{"name", "Acme Corp"},
                                       {"external_id", "ext-1"},
                                       {"domain", "acme.test"},
                                       {"employees", 42},
                                       {"annual_revenue", "1234.5"},
                                       {"health_score", 0.75},
                                       {"industry", json::object{{"name", "Software"}}},
                                       {"is_partner", true},
                                       {"founded", "1999-12-31"}}));
  }
  // The error entry of a one-field add that must fail; returns the ErrorResponse body.
  json::object rejected(std::string_view object, json::object entry) {
    const auto r =
        api("POST", "/api/records/" + std::string(object) + "/add", json::object{{"fields", json::array{entry}}});
    EXPECT_EQ(r.status, 400) << json::serialize(entry) << " -> " << r.body;
    return r.status == 400 ? r.json().as_object() : json::object{};
  }
};

TEST_F(emulator_records, add_returns_every_type_in_its_read_format) {
  const auto rec = full_company();
  EXPECT_EQ(rec.at("object_type"), "companies");
  EXPECT_EQ(value_of(rec, "name"), "Acme Corp");
  EXPECT_EQ(value_of(rec, "employees"), 42);
  EXPECT_EQ(value_of(rec, "annual_revenue"), "1234.50");
  EXPECT_EQ(value_of(rec, "health_score"), "0.75");
  EXPECT_EQ(value_of(rec, "is_partner"), true);
  EXPECT_EQ(value_of(rec, "founded"), "1999-12-31");
  const auto industry = value_of(rec, "industry").as_object();
  EXPECT_EQ(industry.at("name"), "Software");
  EXPECT_EQ(industry.at("id").as_string().size(), 36u);
  // Keyed by field UUID, each entry {id, name, display_name, field_type, value}.
  for (const auto& kv : rec.at("fields").as_object()) {
    const auto& e = kv.value().as_object();
    EXPECT_EQ(e.at("id").as_string(), kv.key());
    for (const char* key : {"name", "display_name", "field_type", "value"}) EXPECT_TRUE(e.contains(key)) << key;
  }
  EXPECT_EQ(field(rec, "employees")->at("field_type"), "integer");
  EXPECT_EQ(field(rec, "annual_revenue")->at("field_type"), "money");
  // Blank fields are left out; created == updated on creation.
  EXPECT_EQ(field(rec, "contacts"), nullptr);
  EXPECT_EQ(rec.at("created"), rec.at("updated"));
}

TEST_F(emulator_records, contact_values_datetime_tags_relationship_and_decimal) {
  const auto company = full_company();
  const auto r = api(
      "POST", "/api/records/client_client/add",
      json::object{
          {"fields", json::array{json::object{{"name", "email"}, {"value", "ada@example.com"}},
                                 json::object{{"name", "first_name"}, {"value", "Ada"}},
                                 json::object{{"name", "last_name"}, {"value", "Lovelace"}},
                                 json::object{{"name", "last_contacted"}, {"value", "2024-03-01T10:15:30+02:00"}},
                                 json::object{{"name", "company"}, {"value", json::object{{"id", company.at("id")}}}},
                                 json::object{{"name", "tags"},
                                              {"add_values", json::array{json::object{{"name", "vip"}},
                                                                         json::object{{"name", "beta"}}}}},
                                 json::object{{"name", "stage"}, {"value", json::object{{"name", "Lead"}}}},
                                 json::object{{"name", "discount_rate"}, {"value", "0.150"}},
                                 json::object{{"name", "lead_score"}, {"value", 7}},
                                 json::object{{"name", "birthday"}, {"value", "1815-12-10"}}}}});
  ASSERT_EQ(r.status, 200) << r.body;
  const auto rec = r.json().as_object();
  EXPECT_EQ(value_of(rec, "last_contacted"), "2024-03-01T08:15:30.000Z");
  const auto company_ref = value_of(rec, "company").as_object();
  EXPECT_EQ(company_ref.at("id"), company.at("id"));
  EXPECT_EQ(company_ref.at("name"), "Acme Corp");
  EXPECT_EQ(company_ref.at("display_name"), "Acme Corp");
  const auto tags = value_of(rec, "tags").as_array();
  ASSERT_EQ(tags.size(), 2u);
  EXPECT_EQ(tags[0].at("name"), "vip");
  EXPECT_EQ(tags[1].at("name"), "beta");
  EXPECT_EQ(value_of(rec, "discount_rate"), "0.150");
  EXPECT_EQ(value_of(rec, "newsletter"), false);  // a blank checkbox reads as unchecked
  EXPECT_EQ(rec.at("client_info").at("display_name"), "Ada Lovelace");
  // New tags become options of the field.
  const auto fields = api("GET", std::string("/api/custom-objects/") + default_schema_ids::contacts_object +
                                     "/fields/settings-search?page_size=100")
                          .json();
  bool found = false;
  for (const auto& f : fields.at("results").as_array())
    if (f.at("name") == "tags")
      for (const auto& o : f.at("options").as_array()) found |= o.at("name") == "vip";
  EXPECT_TRUE(found);
}

TEST_F(emulator_records, fields_can_be_named_by_id_and_dropdowns_by_option_id) {
  const auto meta = api("GET", std::string("/api/custom-objects/") + default_schema_ids::contacts_object +
                                   "/fields/settings-search?page_size=100")
                        .json();
  std::string email_id, stage_id, qualified_id;
  for (const auto& f : meta.at("results").as_array()) {
    if (f.at("name") == "email") email_id = std::string(f.at("id").as_string());
    if (f.at("name") == "stage") {
      stage_id = std::string(f.at("id").as_string());
      for (const auto& o : f.at("options").as_array())
        if (o.at("name") == "Qualified") qualified_id = std::string(o.at("id").as_string());
    }
  }
  const auto rec =
      add("client_client", json::array{json::object{{"id", email_id}, {"value", "x@example.com"}},
                                       json::object{{"id", stage_id}, {"value", json::object{{"id", qualified_id}}}}});
  EXPECT_EQ(value_of(rec, "stage").at("name"), "Qualified");
}

TEST_F(emulator_records, validation_errors_are_positional_and_name_the_field) {
  const auto r = api("POST", "/api/records/client_client/add",
                     json::object{{"fields", json::array{json::object{{"name", "email"}, {"value", "ok@example.com"}},
                                                         json::object{{"name", "no_such_field"}, {"value", 1}},
                                                         json::object{{"name", "lead_score"}, {"value", "seven"}}}}});
  ASSERT_EQ(r.status, 400);
  const auto body = r.json().as_object();
  const auto& list = body.at("fields").as_array();
  ASSERT_EQ(list.size(), 3u);
  EXPECT_TRUE(list[0].at("value").as_array().empty());
  EXPECT_NE(json::serialize(list[1].at("name")).find("no_such_field"), std::string::npos);
  EXPECT_NE(json::serialize(list[2].at("value")).find("lead_score"), std::string::npos);
  // Nothing was created.
  EXPECT_EQ(search("client_client", json::object{}).at("count"), 0);
}

TEST_F(emulator_records, wrong_types_and_limits_are_rejected_per_field_type) {
  const auto company = full_company();
  api("DELETE", "/api/records/companies/" + std::string(company.at("id").as_string()));
  struct bad {
    const char* field;
    json::value value;
  };
  const bad cases[] = {
      {"first_name", 12},
      {"first_name", json::string(std::string(256, 'x'))},
      {"email", "not-an-email"},
      {"lead_score", "12"},
      {"lead_score", 1.5},
      {"discount_rate", "abc"},
      {"discount_rate", true},
      {"lifetime_value", "1.234"},
      {"newsletter", "yes"},
      {"birthday", "2024-02-30"},
      {"birthday", "10/12/2024"},
      {"last_contacted", "2024-03-01"},
      {"last_contacted", "2024-03-01T10:00:00"},
      {"stage", "Lead"},
      {"stage", json::object{{"name", "Nope"}}},
      {"company", json::object{{"id", "0b9c7f63-6d6f-4f4b-9d2e-0a0b0c0d0e0f"}}},
      {"company", json::object{{"id", company.at("id")}}},  // archived
      {"company", json::array{}},
      {"created", "2024-01-01T00:00:00.000Z"},
  };
  for (const auto& c : cases) {
    const auto body = rejected("client_client", json::object{{"name", c.field}, {"value", c.value}});
    if (body.empty()) continue;
    const auto text = json::serialize(body.at("fields").as_array().at(0));
    EXPECT_NE(text.find(c.field), std::string::npos) << c.field << ": " << text;
  }
  // 255 characters is fine.
  const auto ok = add("client_client",
                      fields_of({{"email", "long@example.com"}, {"first_name", json::string(std::string(255, 'y'))}}));
  EXPECT_EQ(value_of(ok, "first_name").as_string().size(), 255u);
}

TEST_F(emulator_records, value_and_add_values_must_match_the_field_kind) {
  auto body =
      rejected("client_client", json::object{{"name", "tags"}, {"value", json::array{json::object{{"name", "x"}}}}});
  EXPECT_FALSE(body.at("fields").at(0).at("value").as_array().empty());
  body = rejected("client_client", json::object{{"name", "first_name"}, {"add_values", json::array{"x"}}});
  EXPECT_FALSE(body.at("fields").at(0).at("add_values").as_array().empty());
  body = rejected("client_client", json::object{{"name", "first_name"}});
  EXPECT_FALSE(body.at("fields").at(0).at("value").as_array().empty());
  body = rejected("client_client", json::object{{"value", "x"}});
  EXPECT_FALSE(body.at("fields").at(0).at("name").as_array().empty());
  body = rejected("client_client", json::object{{"id", "0b9c7f63-6d6f-4f4b-9d2e-0a0b0c0d0e0f"}, {"value", "x"}});
  EXPECT_FALSE(body.at("fields").at(0).at("id").as_array().empty());
}

TEST_F(emulator_records, identity_is_required_and_unique_ignoring_case_and_spaces) {
  auto r = api("POST", "/api/records/companies/add", json::object{{"fields", fields_of({{"domain", "x.test"}})}});
  ASSERT_EQ(r.status, 400);
  EXPECT_NE(json::serialize(r.json().at("non_field_errors")).find("name"), std::string::npos);
  add("companies", fields_of({{"name", "Acme  Corp"}}));
  r = api("POST", "/api/records/companies/add", json::object{{"fields", fields_of({{"name", " acme corp "}})}});
  ASSERT_EQ(r.status, 400);
  EXPECT_NE(json::serialize(r.json().at("non_field_errors")).find("already exists"), std::string::npos);
  add("client_client", fields_of({{"email", "Dup@Example.com"}}));
  r = api("POST", "/api/records/client_client/add",
          json::object{{"fields", fields_of({{"email", "dup@example.com"}})}});
  EXPECT_EQ(r.status, 400);
  r = api("POST", "/api/records/client_client/add",
          json::object{{"unarchive", "sometimes"}, {"fields", json::array{}}});
  EXPECT_EQ(r.status, 400);
  r = api("POST", "/api/records/client_client/add", json::object{{"no_fields", true}});
  EXPECT_EQ(r.status, 400);
}

TEST_F(emulator_records, get_selects_fields_by_name_or_id) {
  const auto rec = full_company();
  const std::string id(rec.at("id").as_string());
  auto got = api("GET", "/api/records/companies/" + id + "?field_names=employees,domain").json().as_object();
  EXPECT_EQ(got.at("fields").as_object().size(), 2u);
  EXPECT_EQ(value_of(got, "employees"), 42);
  got = api("GET", "/api/records/companies/" + id + "?field_names=").json().as_object();
  EXPECT_EQ(got.at("fields").as_object().size(), 1u);  // default fields only: name
  EXPECT_EQ(value_of(got, "name"), "Acme Corp");
  const std::string employees_id(field(rec, "employees")->at("id").as_string());
  got = api("GET", "/api/records/companies/" + id + "?field_ids=" + employees_id).json().as_object();
  EXPECT_EQ(got.at("fields").as_object().size(), 1u);
  got = get("companies", id);
  EXPECT_EQ(got.at("fields").as_object().size(), rec.at("fields").as_object().size());
  for (const char* key :
       {"num_upcoming_activities", "num_associated_team_members", "lead_source_types", "client_info", "access"})
    EXPECT_TRUE(got.contains(key)) << key;
}

TEST_F(emulator_records, patch_changes_only_sent_fields_and_returns_only_them) {
  const auto rec = full_company();
  const std::string id(rec.at("id").as_string());
  control("PUT", "/__emulator/clock", json::object{{"frozen_at", "2030-01-01T00:00:00.000Z"}});
  auto r = api("PATCH", "/api/records/companies/" + id,
               json::object{{"fields", fields_of({{"employees", 43}, {"domain", nullptr}})}});
  ASSERT_EQ(r.status, 200);
  auto body = r.json().as_object();
  EXPECT_EQ(body.at("fields").as_object().size(), 1u);  // employees; domain is now blank, so omitted
  EXPECT_EQ(value_of(body, "employees"), 43);
  EXPECT_EQ(body.at("updated"), "2030-01-01T00:00:00.000Z");
  EXPECT_EQ(body.at("created"), rec.at("created"));
  const auto now = get("companies", id);
  EXPECT_EQ(value_of(now, "name"), "Acme Corp");
  EXPECT_EQ(field(now, "domain"), nullptr);
  EXPECT_EQ(value_of(now, "industry").at("name"), "Software");
  r = api("PATCH", "/api/records/companies/" + id + "?return_all_fields=true",
          json::object{{"fields", fields_of({{"employees", 44}})}});
  EXPECT_EQ(r.json().at("fields").as_object().size(), now.at("fields").as_object().size());
}

TEST_F(emulator_records, updated_moves_only_when_something_changes) {
  control("PUT", "/__emulator/clock", json::object{{"frozen_at", "2030-01-01T00:00:00.000Z"}});
  const auto rec = full_company();
  const std::string id(rec.at("id").as_string());
  control("PUT", "/__emulator/clock", json::object{{"frozen_at", "2030-01-02T00:00:00.000Z"}});
  auto r = api("PATCH", "/api/records/companies/" + id, json::object{{"fields", fields_of({{"employees", 42}})}});
  EXPECT_EQ(r.json().at("updated"), "2030-01-01T00:00:00.000Z");
  r = api("PATCH", "/api/records/companies/" + id, json::object{{"fields", fields_of({{"employees", 41}})}});
  EXPECT_EQ(r.json().at("updated"), "2030-01-02T00:00:00.000Z");
  EXPECT_EQ(r.json().at("created"), "2030-01-01T00:00:00.000Z");
}

TEST_F(emulator_records, put_replaces_the_whole_record) {
  const auto rec = full_company();
  const std::string id(rec.at("id").as_string());
  auto r = api("PUT", "/api/records/companies/" + id,
               json::object{{"fields", fields_of({{"name", "Acme Corp"}, {"employees", 5}})}});
  ASSERT_EQ(r.status, 200);
  const auto now = get("companies", id);
  EXPECT_EQ(value_of(now, "employees"), 5);
  EXPECT_EQ(field(now, "domain"), nullptr);
  EXPECT_EQ(field(now, "industry"), nullptr);
  EXPECT_EQ(value_of(now, "is_partner"), false);
  // PUT needs `fields` and keeps the identity rule.
  EXPECT_EQ(api("PUT", "/api/records/companies/" + id, json::object{}).status, 400);
  EXPECT_EQ(api("PUT", "/api/records/companies/" + id, json::object{{"fields", fields_of({{"employees", 5}})}}).status,
            400);
}

TEST_F(emulator_records, tags_add_and_remove_and_to_many_replace) {
  const auto a = add("client_client", fields_of({{"email", "a@example.com"}}));
  const auto b = add("client_client", fields_of({{"email", "b@example.com"}}));
  const auto deal =
      add("deals",
          json::array{
              json::object{{"name", "name"}, {"value", "Deal 1"}},
              json::object{{"name", "labels"},
                           {"add_values", json::array{json::object{{"name", "hot"}}, json::object{{"name", "q1"}}}}},
              json::object{{"name", "contacts"}, {"value", json::array{json::object{{"id", a.at("id")}}}}}});
  const std::string id(deal.at("id").as_string());
  auto r =
      api("PATCH", "/api/records/deals/" + id,
          json::object{
              {"fields", json::array{json::object{{"name", "labels"},
                                                  {"remove_values", json::array{json::object{{"name", "hot"}}}},
                                                  {"add_values", json::array{json::object{{"name", "q2"}}}}},
                                     json::object{{"name", "contacts"},
                                                  {"add_values", json::array{json::object{{"id", b.at("id")}}}}}}}});
  ASSERT_EQ(r.status, 200) << r.body;
  auto now = get("deals", id);
  const auto labels = value_of(now, "labels").as_array();
  ASSERT_EQ(labels.size(), 2u);
  EXPECT_EQ(labels[0].at("name"), "q1");
  EXPECT_EQ(labels[1].at("name"), "q2");
  EXPECT_EQ(value_of(now, "contacts").as_array().size(), 2u);
  r = api(
      "PATCH", "/api/records/deals/" + id,
      json::object{{"fields", json::array{json::object{{"name", "contacts"},
                                                       {"value", json::array{json::object{{"id", b.at("id")}}}}}}}});
  now = get("deals", id);
  ASSERT_EQ(value_of(now, "contacts").as_array().size(), 1u);
  EXPECT_EQ(value_of(now, "contacts").at(0).at("id"), b.at("id"));
  EXPECT_EQ(value_of(now, "contacts").at(0).at("name"), "b@example.com");  // a contact without a name shows its email
}

TEST_F(emulator_records, delete_archives_and_hides_the_record) {
  const auto rec = full_company();
  const std::string id(rec.at("id").as_string());
  auto r = api("DELETE", "/api/records/companies/" + id);
  EXPECT_EQ(r.status, 204);
  EXPECT_TRUE(r.body.empty());
  EXPECT_EQ(api("GET", "/api/records/companies/" + id).status, 404);
  EXPECT_EQ(api("DELETE", "/api/records/companies/" + id).status, 404);
  EXPECT_EQ(api("PATCH", "/api/records/companies/" + id, json::object{{"fields", json::array{}}}).status, 404);
  EXPECT_EQ(api("GET", "/api/records/companies/lookup?identifier=Acme%20Corp").status, 404);
  EXPECT_EQ(search("companies", json::object{}).at("count"), 0);
  const auto state = control("GET", "/__emulator/state").json();
  EXPECT_EQ(state.at("objects").at("companies").at(0).at("archived"), true);
  // Unarchive brings it back, unchanged.
  r = api("PATCH", "/api/records/companies/" + id + "/unarchive");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(value_of(r.json().as_object(), "employees"), 42);
  EXPECT_EQ(get("companies", id).at("id"), rec.at("id"));
}

TEST_F(emulator_records, lookup_ignores_case_and_collapses_spaces) {
  add("companies", fields_of({{"name", "Big  Blue Inc"}}));
  add("client_client", fields_of({{"email", "Grace@Example.com"}, {"first_name", "Grace"}}));
  auto r = api("GET", "/api/records/companies/lookup?identifier=%20big%20blue%20%20INC%20");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(value_of(r.json().as_object(), "name"), "Big  Blue Inc");
  r = api("GET", "/api/records/client_client/lookup?identifier=grace@example.COM");
  ASSERT_EQ(r.status, 200);
  // Default fields only unless all_fields / field_names ask for more.
  EXPECT_EQ(value_of(r.json().as_object(), "first_name"), "Grace");
  EXPECT_EQ(field(r.json().as_object(), "newsletter"), nullptr);
  r = api("GET", "/api/records/client_client/lookup?identifier=grace@example.com&all_fields=true");
  EXPECT_NE(field(r.json().as_object(), "newsletter"), nullptr);
  r = api("GET", "/api/records/client_client/lookup?identifier=nobody@example.com");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.json(), json::parse(R"({"detail":"Not found."})"));
  r = api("GET", "/api/records/client_client/lookup");
  EXPECT_EQ(r.status, 400);
}

}  // namespace
}  // namespace kizen_emulator::conformance
