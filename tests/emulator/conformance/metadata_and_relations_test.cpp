// Field metadata endpoints, relationship summaries over 100 values, and field-values paging.
#include "conformance_fixture.hpp"

namespace kizen_emulator::conformance {
namespace {

class emulator_metadata_and_relations : public emulator_test {
 protected:
  json::array all_results(std::string target) {
    json::array out;
    while (!target.empty()) {
      const auto r = api("GET", target);
      EXPECT_EQ(r.status, 200) << target;
      if (r.status != 200) break;
      const auto page = r.json().as_object();
      for (const auto& x : page.at("results").as_array()) out.push_back(x);
      target = page.at("next").is_null() ? std::string()
                                         : std::string(page.at("next").as_string()).substr(base_url().size());
    }
    return out;
  }
};

TEST_F(emulator_metadata_and_relations, custom_objects_lists_objects_with_contacts_on_request) {
  auto list = api("GET", "/api/custom-objects?custom_only=false").json().as_object();
  std::vector<std::string> names;
  for (const auto& o : list.at("results").as_array()) names.push_back(std::string(o.at("name").as_string()));
  EXPECT_EQ(names, (std::vector<std::string>{"client_client", "companies", "deals"}));
  EXPECT_EQ(list.at("results").at(0).at("id"), default_schema_ids::contacts_object);
  list = api("GET", "/api/custom-objects").json().as_object();
  EXPECT_EQ(list.at("count"), 2);  // custom_only defaults to true
  const auto paged = api("GET", "/api/custom-objects?custom_only=false&page_size=1&page=2").json().as_object();
  EXPECT_EQ(paged.at("results").at(0).at("name"), "companies");
}

TEST_F(emulator_metadata_and_relations, settings_search_describes_every_field) {
  const auto fields = all_results(std::string("/api/custom-objects/") + default_schema_ids::contacts_object +
                                  "/fields/settings-search?page_size=5");
  std::map<std::string, json::object> by_name;
  for (const auto& f : fields) by_name[std::string(f.at("name").as_string())] = f.as_object();
  for (const char* n :
       {"first_name", "last_name", "email", "created", "updated", "external_id", "company", "tags", "lead_score",
        "stage", "newsletter", "birthday", "last_contacted", "lifetime_value", "discount_rate"})
    EXPECT_TRUE(by_name.count(n)) << n;
  EXPECT_EQ(by_name["email"].at("is_default"), true);
  EXPECT_EQ(by_name["updated"].at("field_type"), "datetime");
  EXPECT_EQ(by_name["updated"].at("is_default"), true);
  EXPECT_EQ(by_name["lead_score"].at("is_default"), false);
  EXPECT_EQ(by_name["stage"].at("options").as_array().size(), 4u);
  EXPECT_EQ(by_name["stage"].at("options").at(0).at("name"), "Lead");
  const auto& rel = by_name["company"].at("relation").as_object();
  EXPECT_EQ(rel.at("related_object").at("name"), "companies");
  EXPECT_EQ(rel.at("cardinality"), "many_to_one");
  EXPECT_EQ(api("GET", "/api/custom-objects/0b9c7f63-6d6f-4f4b-9d2e-0a0b0c0d0e0f/fields/settings-search").status, 404);
  EXPECT_EQ(api("GET", "/api/custom-objects/client_client/fields/settings-search").status, 404);
}

TEST_F(emulator_metadata_and_relations, more_than_100_related_records_come_as_a_summary_and_page_through_field_values) {
  json::array refs;
  for (int i = 0; i < 130; ++i) {
    const auto c = add("client_client", fields_of({{"email", json::string("p" + std::to_string(i) + "@example.com")},
                                                   {"first_name", json::string("P" + std::to_string(i))},
                                                   {"last_name", "Person"}}));
    refs.push_back(json::object{{"id", c.at("id")}});
  }
  const auto company = add("companies", json::array{json::object{{"name", "name"}, {"value", "Big"}},
                                                    json::object{{"name", "contacts"}, {"value", refs}}});
  const auto* entry = field(company, "contacts");
  ASSERT_NE(entry, nullptr);
  EXPECT_EQ(entry->at("value").as_array().size(), 100u);
  EXPECT_EQ(entry->at("value_summary").at("count"), 130);
  const std::string fid(entry->at("id").as_string());
  const std::string base = "/api/records/" + std::string(company.at("id").as_string()) + "/field-values/" + fid;
  const auto all = all_results(base + "?page_size=40");
  ASSERT_EQ(all.size(), 130u);
  EXPECT_EQ(all[0].at("id"), refs[0].at("id"));
  EXPECT_EQ(all[129].at("full_name"), "P129 Person");
  EXPECT_EQ(all[129].at("email"), "p129@example.com");
  const auto found = api("GET", base + "?search=p12").json().as_object();
  EXPECT_EQ(found.at("count"), 11);  // p12, p120..p129
  // A record with a to-one relationship to a company: the RelationshipFieldValue shape.
  const auto deal =
      add("deals", json::array{json::object{{"name", "name"}, {"value", "Deal"}},
                               json::object{{"name", "company"}, {"value", json::object{{"id", company.at("id")}}}}});
  const std::string company_field(field(deal, "company")->at("id").as_string());
  const auto one =
      api("GET", "/api/records/" + std::string(deal.at("id").as_string()) + "/field-values/" + company_field).json();
  EXPECT_EQ(one.at("results").at(0).at("name"), "Big");
  // Errors: unknown record or field, non-relationship field.
  EXPECT_EQ(api("GET", "/api/records/0b9c7f63-6d6f-4f4b-9d2e-0a0b0c0d0e0f/field-values/" + fid).status, 404);
  EXPECT_EQ(api("GET", "/api/records/" + std::string(company.at("id").as_string()) +
                           "/field-values/0b9c7f63-6d6f-4f4b-9d2e-0a0b0c0d0e0f")
                .status,
            404);
  const std::string name_field(field(company, "name")->at("id").as_string());
  EXPECT_EQ(
      api("GET", "/api/records/" + std::string(company.at("id").as_string()) + "/field-values/" + name_field).status,
      400);
}

TEST_F(emulator_metadata_and_relations, archived_targets_drop_out_of_relationships) {
  const auto a = add("client_client", fields_of({{"email", "a@example.com"}}));
  const auto b = add("client_client", fields_of({{"email", "b@example.com"}}));
  const auto company =
      add("companies", json::array{json::object{{"name", "name"}, {"value", "Co"}},
                                   json::object{{"name", "contacts"},
                                                {"value", json::array{json::object{{"id", a.at("id")}},
                                                                      json::object{{"id", b.at("id")}}}}}});
  api("DELETE", "/api/records/client_client/" + std::string(a.at("id").as_string()));
  const auto now = get("companies", company.at("id").as_string());
  ASSERT_EQ(value_of(now, "contacts").as_array().size(), 1u);
  EXPECT_EQ(value_of(now, "contacts").at(0).at("id"), b.at("id"));
}

}  // namespace
}  // namespace kizen_emulator::conformance
