// upsert, and what add/upsert/PATCH do when an archived record holds the identity.
#include "conformance_fixture.hpp"

namespace kizen_emulator::conformance {
namespace {

class emulator_upsert_archive : public emulator_test {
 protected:
  ks::test::http_reply upsert(std::string_view object, json::object body, std::string_view query = "") {
    std::string target = "/api/records/" + std::string(object) + "/upsert";
    if (!query.empty()) target += "?" + std::string(query);
    return api("POST", target, body);
  }
  std::string archived_company(std::string_view name) {
    const auto rec = add("companies", fields_of({{"name", json::string(name)}, {"employees", 1}}));
    const std::string id(rec.at("id").as_string());
    EXPECT_EQ(api("DELETE", "/api/records/companies/" + id).status, 204);
    return id;
  }
};

TEST_F(emulator_upsert_archive, creates_then_updates_by_lookup_value) {
  auto r = upsert("client_client", json::object{{"lookup_value", "Linus@Example.com"},
                                                {"fields", fields_of({{"first_name", "Linus"}})}});
  ASSERT_EQ(r.status, 201) << r.body;
  auto body = r.json().as_object();
  EXPECT_EQ(body.at("action"), "created");
  EXPECT_EQ(value_of(body, "email"), "Linus@Example.com");
  const auto id = body.at("id");
  r = upsert("client_client",
             json::object{{"lookup_value", "  linus@example.com"}, {"fields", fields_of({{"last_name", "T"}})}});
  ASSERT_EQ(r.status, 200);
  body = r.json().as_object();
  EXPECT_EQ(body.at("action"), "updated");
  EXPECT_EQ(body.at("id"), id);
  EXPECT_EQ(body.at("fields").as_object().size(), 1u);  // only what was sent
  r = upsert("client_client", json::object{{"lookup_value", "linus@example.com"}, {"fields", json::array{}}},
             "return_all_fields=true");
  EXPECT_EQ(value_of(r.json().as_object(), "first_name"), "Linus");
  EXPECT_EQ(search("client_client", json::object{}).at("count"), 1);
}

TEST_F(emulator_upsert_archive, bad_upsert_bodies_are_400) {
  EXPECT_EQ(upsert("client_client", json::object{{"fields", json::array{}}}).status, 400);
  EXPECT_EQ(upsert("client_client", json::object{{"lookup_value", ""}}).status, 400);
  EXPECT_EQ(upsert("client_client", json::object{{"lookup_value", "not an email"}}).status, 400);
  EXPECT_EQ(upsert("client_client", json::object{{"lookup_value", "a@b.co"}, {"oncreate_unarchive", "maybe"}}).status,
            400);
  EXPECT_EQ(
      upsert("client_client", json::object{{"lookup_value", "a@b.co"}, {"fields", fields_of({{"lead_score", "x"}})}})
          .status,
      400);
  EXPECT_EQ(search("client_client", json::object{}).at("count"), 0);
}

TEST_F(emulator_upsert_archive, archived_match_prompts_by_default) {
  archived_company("Old Co");
  auto r = upsert("companies", json::object{{"lookup_value", "old co"}});
  ASSERT_EQ(r.status, 400);
  const auto text = json::serialize(r.json().at("non_field_errors"));
  EXPECT_NE(text.find("archived"), std::string::npos) << text;
  r = upsert("companies", json::object{{"lookup_value", "old co"}, {"oncreate_unarchive", "prompt"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(search("companies", json::object{}).at("count"), 0);
}

TEST_F(emulator_upsert_archive, archived_match_unarchives_on_request) {
  const auto id = archived_company("Old Co");
  const auto r = upsert("companies", json::object{{"lookup_value", "Old Co"},
                                                  {"oncreate_unarchive", "unarchive"},
                                                  {"fields", fields_of({{"employees", 2}})}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json().at("action"), "unarchived");
  EXPECT_EQ(r.json().at("id"), json::value(id));
  EXPECT_EQ(value_of(get("companies", id), "employees"), 2);
}

TEST_F(emulator_upsert_archive, archived_match_is_moved_aside_on_overwrite) {
  const auto id = archived_company("Old Co");
  const auto r = upsert("companies", json::object{{"lookup_value", "Old Co"}, {"oncreate_unarchive", "overwrite"}});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.json().at("action"), "created");
  EXPECT_NE(r.json().at("id"), json::value(id));
  const auto state = control("GET", "/__emulator/state").json();
  const auto& list = state.at("objects").at("companies").as_array();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_NE(list[0].at("fields").at("name"), "Old Co");  // the archived one got a new name
  EXPECT_EQ(list[0].at("archived"), true);
}

TEST_F(emulator_upsert_archive, add_on_an_archived_name_follows_unarchive) {
  const auto id = archived_company("Gone Co");
  auto r = api("POST", "/api/records/companies/add", json::object{{"fields", fields_of({{"name", "Gone Co"}})}});
  ASSERT_EQ(r.status, 400);
  EXPECT_NE(json::serialize(r.json().at("non_field_errors")).find("archived"), std::string::npos);
  r = api("POST", "/api/records/companies/add",
          json::object{{"unarchive", "unarchive"}, {"fields", fields_of({{"name", "Gone Co"}})}});
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.json().at("id"), json::value(id));
  api("DELETE", "/api/records/companies/" + id);
  r = api("POST", "/api/records/companies/add",
          json::object{{"unarchive", "overwrite"}, {"fields", fields_of({{"name", "Gone Co"}})}});
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.json().at("id"), json::value(id));
}

TEST_F(emulator_upsert_archive, rename_onto_an_archived_name_needs_archived_conflict_overwrite) {
  archived_company("Taken Co");
  const auto rec = add("companies", fields_of({{"name", "Free Co"}}));
  const std::string id(rec.at("id").as_string());
  auto r = api("PATCH", "/api/records/companies/" + id, json::object{{"fields", fields_of({{"name", "Taken Co"}})}});
  EXPECT_EQ(r.status, 400);
  r = api("PATCH", "/api/records/companies/" + id,
          json::object{{"archived_conflict", "overwrite"}, {"fields", fields_of({{"name", "Taken Co"}})}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(value_of(r.json().as_object(), "name"), "Taken Co");
  // A live holder is a plain duplicate, whatever the flag says.
  const auto other = add("companies", fields_of({{"name", "Other Co"}}));
  r = api("PATCH", "/api/records/companies/" + std::string(other.at("id").as_string()),
          json::object{{"archived_conflict", "overwrite"}, {"fields", fields_of({{"name", "taken co"}})}});
  EXPECT_EQ(r.status, 400);
}

TEST_F(emulator_upsert_archive, upsert_update_onto_an_archived_name_follows_onupdate_archived_conflict) {
  archived_company("Taken Co");
  add("companies", fields_of({{"name", "Mine Co"}}));
  auto r =
      upsert("companies", json::object{{"lookup_value", "Mine Co"}, {"fields", fields_of({{"name", "Taken Co"}})}});
  EXPECT_EQ(r.status, 400);
  r = upsert("companies", json::object{{"lookup_value", "Mine Co"},
                                       {"onupdate_archived_conflict", "overwrite"},
                                       {"fields", fields_of({{"name", "Taken Co"}})}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json().at("action"), "updated");
}

}  // namespace
}  // namespace kizen_emulator::conformance
