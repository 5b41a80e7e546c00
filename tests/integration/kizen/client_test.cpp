// Every client operation against kizen-emulator over real sockets, and the mapping of the
// server's error answers (401, 403, 404, 400).

#include <boost/asio/this_coro.hpp>
#include <set>

#include "tests/integration/kizen/kizen_env.hpp"

namespace ks::kizen::test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

class kizen_client : public kizen_env {};

std::string email_of(const record& r) {
  const auto* f = r.field("email");
  return f && f->value.is_string() ? std::string(f->value.as_string()) : std::string();
}

TEST_F(kizen_client, upsert_creates_then_updates_the_same_record) {
  auto kizen = make_client();
  auto first = run(kizen->upsert_record("client_client", "ann@example.com",
                                        {field_write::set("first_name", "Ann"), field_write::set("last_name", "Lee")}));
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_TRUE(first->created);
  EXPECT_EQ(first->action, upsert_action::created);
  EXPECT_EQ(email_of(first->rec), "ann@example.com");
  EXPECT_TRUE(first->rec.updated);

  auto second = run(kizen->upsert_record("client_client", "ann@example.com", {field_write::set("first_name", "Anna")}));
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_FALSE(second->created);
  EXPECT_EQ(second->action, upsert_action::updated);
  EXPECT_EQ(second->rec.id, first->rec.id);

  const auto state = state_dump(emu_);
  const auto& contacts = state.at("objects").at("client_client").as_array();
  ASSERT_EQ(contacts.size(), 1u);
  EXPECT_EQ(contacts[0].at("fields").at("first_name").as_string(), "Anna");
  EXPECT_EQ(contacts[0].at("fields").at("last_name").as_string(), "Lee");
}

TEST_F(kizen_client, get_patch_and_put_a_record) {
  auto kizen = make_client();
  auto made = run(kizen->upsert_record("client_client", "bob@example.com",
                                       {field_write::set("first_name", "Bob"), field_write::set("lead_score", 10)}));
  ASSERT_TRUE(made) << made.error().message;
  const std::string id = made->rec.id;

  auto got = run(kizen->get_record("client_client", id));
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->id, id);
  ASSERT_NE(got->field("first_name"), nullptr);
  EXPECT_EQ(got->field("first_name")->value.as_string(), "Bob");
  EXPECT_EQ(got->field("first_name")->field_type, "text");
  EXPECT_FALSE(got->field("first_name")->id.empty());
  ASSERT_TRUE(got->updated);
  ASSERT_TRUE(got->created);

  auto only_email = run(kizen->get_record("client_client", id, {"email"}));
  ASSERT_TRUE(only_email) << only_email.error().message;
  EXPECT_EQ(email_of(*only_email), "bob@example.com");
  EXPECT_EQ(only_email->field("lead_score"), nullptr);

  auto patched = run(kizen->patch_record("client_client", id, {field_write::set("lead_score", 42)}));
  ASSERT_TRUE(patched) << patched.error().message;
  ASSERT_NE(patched->field("lead_score"), nullptr);
  EXPECT_EQ(patched->field("lead_score")->value.to_number<int>(), 42);
  EXPECT_EQ(patched->field("first_name"), nullptr);  // PATCH answers with the fields it changed

  auto patched_all = run(kizen->patch_record("client_client", id, {field_write::set("last_name", "Stone")}, true));
  ASSERT_TRUE(patched_all) << patched_all.error().message;
  ASSERT_NE(patched_all->field("first_name"), nullptr);
  EXPECT_EQ(patched_all->field("first_name")->value.as_string(), "Bob");

  auto put = run(kizen->put_record(
      "client_client", id, {field_write::set("email", "bob@example.com"), field_write::set("first_name", "Robert")}));
  ASSERT_TRUE(put) << put.error().message;
  auto after = run(kizen->get_record("client_client", id));
  ASSERT_TRUE(after);
  EXPECT_EQ(after->field("first_name")->value.as_string(), "Robert");
}

TEST_F(kizen_client, write_by_field_id_and_clear_with_null) {
  auto kizen = make_client();
  auto made = run(kizen->upsert_record("client_client", "cy@example.com",
                                       {field_write::set_by_id(contact_external_id_field, "K-1")}));
  ASSERT_TRUE(made) << made.error().message;
  auto got = run(kizen->get_record("client_client", made->rec.id));
  ASSERT_TRUE(got);
  ASSERT_NE(got->field("external_id"), nullptr);
  EXPECT_EQ(got->field("external_id")->value.as_string(), "K-1");
  auto cleared = run(kizen->patch_record("client_client", made->rec.id, {field_write::set("external_id", nullptr)}));
  ASSERT_TRUE(cleared) << cleared.error().message;
  auto again = run(kizen->get_record("client_client", made->rec.id));
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->field("external_id") == nullptr || again->field("external_id")->value.is_null());
}

TEST_F(kizen_client, add_then_lookup_by_name_and_missing_lookup_is_empty) {
  auto kizen = make_client();
  auto added = run(kizen->add_record("companies", {field_write::set("name", "Acme & Sons"),
                                                   field_write::set("industry", json::object{{"name", "Retail"}})}));
  ASSERT_TRUE(added) << added.error().message;
  ASSERT_FALSE(added->id.empty());

  // Case and spaces do not matter; without field_names lookup returns the default fields only.
  auto found = run(kizen->lookup_record("companies", "acme  &  sons", {"name", "industry"}));
  ASSERT_TRUE(found) << found.error().message;
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->id, added->id);
  ASSERT_NE((*found)->field("industry"), nullptr);
  EXPECT_EQ((*found)->field("industry")->value.at("name").as_string(), "Retail");

  auto all = run(kizen->lookup_record("companies", "Acme & Sons", {}, true));
  ASSERT_TRUE(all) << all.error().message;
  ASSERT_TRUE(all->has_value());
  EXPECT_NE((*all)->field("industry"), nullptr);

  auto missing = run(kizen->lookup_record("companies", "No Such Company"));
  ASSERT_TRUE(missing) << missing.error().message;
  EXPECT_FALSE(missing->has_value());
}

TEST_F(kizen_client, search_filters_and_follows_next_to_the_end) {
  auto kizen = make_client();
  for (int i = 0; i < 7; ++i) {
    auto r = run(kizen->upsert_record("client_client", "p" + std::to_string(i) + "@example.com",
                                      {field_write::set("first_name", i % 2 ? "Odd" : "Even"),
                                       field_write::set("external_id", "X-" + std::to_string(i))}));
    ASSERT_TRUE(r) << r.error().message;
  }
  search_query q;
  q.groups.push_back({true, {search_filter::builtin("first_name", "=", "Even")}});
  q.field_names = {"email", "first_name"};
  q.page_size = 2;
  q.ordering = "email";
  auto first = run(kizen->search_records("client_client", q));
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->count, 4);
  ASSERT_EQ(first->results.size(), 2u);
  ASSERT_TRUE(first->next);
  std::vector<std::string> emails;
  for (const auto& r : first->results) emails.push_back(email_of(r));
  auto next = first->next;
  int pages = 1;
  while (next) {
    auto p = run(kizen->search_next(*next, q));
    ASSERT_TRUE(p) << p.error().message;
    for (const auto& r : p->results) emails.push_back(email_of(r));
    next = p->next;
    ASSERT_LT(++pages, 10);
  }
  EXPECT_EQ(emails, (std::vector<std::string>{"p0@example.com", "p2@example.com", "p4@example.com", "p6@example.com"}));

  // A custom field by UUID, OR across groups, a page by number.
  search_query custom;
  custom.all_groups = false;
  custom.groups.push_back({true, {search_filter::custom_field(contact_external_id_field, "=", "X-3")}});
  custom.groups.push_back({true, {search_filter::custom_field(contact_external_id_field, "=", "X-5")}});
  custom.ordering = "-email";
  auto found = run(kizen->search_records("client_client", custom, 1));
  ASSERT_TRUE(found) << found.error().message;
  ASSERT_EQ(found->results.size(), 2u);
  EXPECT_EQ(email_of(found->results[0]), "p5@example.com");
  EXPECT_EQ(email_of(found->results[1]), "p3@example.com");

  // Nested: first_name = Even AND (external_id = X-0 OR external_id = X-4).
  search_query nested;
  nested.groups.push_back({true,
                           {search_filter::builtin("first_name", "=", "Even"),
                            filter_group{false,
                                         {search_filter::custom_field(contact_external_id_field, "=", "X-0"),
                                          search_filter::custom_field(contact_external_id_field, "=", "X-4"),
                                          search_filter::custom_field(contact_external_id_field, "=", "X-3")}}}});
  nested.ordering = "email";
  auto both = run(kizen->search_records("client_client", nested));
  ASSERT_TRUE(both) << both.error().message;
  ASSERT_EQ(both->results.size(), 2u);
  EXPECT_EQ(email_of(both->results[0]), "p0@example.com");
  EXPECT_EQ(email_of(both->results[1]), "p4@example.com");

  // updated > a time after every write: nothing.
  search_query recent;
  recent.groups.push_back(
      {true,
       {search_filter::builtin("updated", ">",
                               format_timestamp(std::chrono::time_point_cast<std::chrono::microseconds>(
                                   std::chrono::system_clock::now() + 24h)))}});
  auto none = run(kizen->search_records("client_client", recent));
  ASSERT_TRUE(none) << none.error().message;
  EXPECT_EQ(none->count, 0);
  EXPECT_TRUE(none->results.empty());
}

TEST_F(kizen_client, multi_value_fields_take_add_and_remove_values_in_one_entry) {
  auto kizen = make_client();
  auto made = run(kizen->upsert_record(
      "client_client", "tags@example.com",
      {field_write::add("tags", json::array{json::object{{"name", "vip"}}, json::object{{"name", "beta"}}})}));
  ASSERT_TRUE(made) << made.error().message;
  field_write both;
  both.field = "tags";
  both.add_values = json::array{json::object{{"name", "gold"}}};
  both.remove_values = json::array{json::object{{"name", "beta"}}};
  auto changed = run(kizen->patch_record("client_client", made->rec.id, {both}));
  ASSERT_TRUE(changed) << changed.error().message;
  const auto contacts = state_dump(emu_).at("objects").at("client_client").as_array();
  ASSERT_EQ(contacts.size(), 1u);
  std::set<std::string> tags;
  for (const auto& t : contacts[0].at("fields").at("tags").as_array()) tags.insert(std::string(t.as_string()));
  EXPECT_EQ(tags, (std::set<std::string>{"vip", "gold"}));
}

TEST_F(kizen_client, an_identity_held_by_an_archived_record_is_taken_over_only_when_asked) {
  auto kizen = make_client();
  auto old_one = run(kizen->upsert_record("client_client", "shared@example.com", {}));
  ASSERT_TRUE(old_one) << old_one.error().message;
  ASSERT_TRUE(run(kizen->archive_record("client_client", old_one->rec.id)));
  auto other = run(kizen->upsert_record("client_client", "other@example.com", {}));
  ASSERT_TRUE(other) << other.error().message;

  auto refused =
      run(kizen->patch_record("client_client", other->rec.id, {field_write::set("email", "shared@example.com")}));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().http_status, 400);
  EXPECT_FALSE(refused.error().retryable);
  auto taken = run(kizen->patch_record("client_client", other->rec.id,
                                       {field_write::set("email", "shared@example.com")}, false, true));
  ASSERT_TRUE(taken) << taken.error().message;
  auto found = run(kizen->lookup_record("client_client", "shared@example.com"));
  ASSERT_TRUE(found && found->has_value());
  EXPECT_EQ((*found)->id, other->rec.id);
}

TEST_F(kizen_client, archive_hides_the_record_and_unarchive_brings_it_back) {
  auto kizen = make_client();
  auto made = run(kizen->upsert_record("companies", "Globex", {}));
  ASSERT_TRUE(made) << made.error().message;
  const std::string id = made->rec.id;

  auto archived = run(kizen->archive_record("companies", id));
  ASSERT_TRUE(archived) << archived.error().message;
  auto gone = run(kizen->get_record("companies", id));
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().kind, error_kind::http);
  EXPECT_EQ(gone.error().http_status, 404);
  EXPECT_FALSE(gone.error().retryable);
  auto lookup = run(kizen->lookup_record("companies", "Globex"));
  ASSERT_TRUE(lookup) << lookup.error().message;
  EXPECT_FALSE(lookup->has_value());

  auto unarchived = run(kizen->unarchive_record("companies", id));
  ASSERT_TRUE(unarchived) << unarchived.error().message;
  auto back = run(kizen->get_record("companies", id));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->id, id);
}

TEST_F(kizen_client, big_relationships_come_as_a_summary_and_field_values_pages_through_them) {
  auto kizen = make_client();
  json::array links;
  std::set<std::string> contact_ids;
  for (int i = 0; i < 105; ++i) {
    auto c = run(kizen->upsert_record("client_client", "m" + std::to_string(i) + "@example.com", {}));
    ASSERT_TRUE(c) << c.error().message;
    links.push_back(json::object{{"id", c->rec.id}});
    contact_ids.insert(c->rec.id);
  }
  auto company = run(kizen->upsert_record("companies", "Initech", {field_write::add("contacts", links)}));
  ASSERT_TRUE(company) << company.error().message;
  auto got = run(kizen->get_record("companies", company->rec.id));
  ASSERT_TRUE(got) << got.error().message;
  const auto* contacts = got->field("contacts");
  ASSERT_NE(contacts, nullptr);
  ASSERT_TRUE(contacts->summary_count) << boost::json::serialize(contacts->value);
  EXPECT_EQ(*contacts->summary_count, 105);

  std::set<std::string> seen;
  int page_number = 1;
  while (true) {
    auto p = run(kizen->field_values(company->rec.id, company_contacts_field, page_number, "", 40));
    ASSERT_TRUE(p) << p.error().message;
    EXPECT_EQ(p->count, 105);
    for (const auto& v : p->results) seen.insert(v.id);
    if (!p->next) break;
    ASSERT_LT(++page_number, 10);
  }
  EXPECT_EQ(page_number, 3);
  EXPECT_EQ(seen, contact_ids);

  auto searched = run(kizen->field_values(company->rec.id, company_contacts_field, std::nullopt, "m104@example.com"));
  ASSERT_TRUE(searched) << searched.error().message;
  ASSERT_EQ(searched->results.size(), 1u);
  EXPECT_EQ(searched->results[0].email, "m104@example.com");
}

TEST_F(kizen_client, lists_objects_and_their_fields) {
  auto kizen = make_client();
  auto objects = run(kizen->list_objects());
  ASSERT_TRUE(objects) << objects.error().message;
  std::map<std::string, std::string> by_name;
  for (const auto& o : *objects) by_name[o.name] = o.id;
  EXPECT_EQ(by_name["client_client"], contacts_object_id);
  EXPECT_EQ(by_name["companies"], companies_object_id);

  auto fields = run(kizen->list_fields(contacts_object_id));
  ASSERT_TRUE(fields) << fields.error().message;
  std::map<std::string, field_info> f;
  for (const auto& x : *fields) f[x.name] = x;
  ASSERT_TRUE(f.count("email"));
  EXPECT_EQ(f["email"].field_type, "email");
  EXPECT_TRUE(f["email"].is_default);
  ASSERT_TRUE(f.count("external_id"));
  EXPECT_EQ(f["external_id"].id, contact_external_id_field);
  EXPECT_FALSE(f["external_id"].is_default);
  ASSERT_TRUE(f.count("stage"));
  ASSERT_NE(f["stage"].option("Customer"), nullptr);
  EXPECT_EQ(f["stage"].option("Customer")->id, "f3194a3b-381e-43e7-952c-466e473a1797");
  ASSERT_TRUE(f.count("company"));
  EXPECT_EQ(f["company"].field_type, "relationship");
  ASSERT_TRUE(f["company"].relation);
  EXPECT_EQ(f["company"].relation->related_object_name, "companies");
  EXPECT_EQ(f["company"].relation->related_object_id, companies_object_id);

  // Small pages: `next` is followed to the end and gives the same lists.
  auto objects_paged = run(kizen->list_objects(1));
  ASSERT_TRUE(objects_paged) << objects_paged.error().message;
  ASSERT_EQ(objects_paged->size(), objects->size());
  for (std::size_t i = 0; i < objects->size(); ++i) EXPECT_EQ((*objects_paged)[i].id, (*objects)[i].id);
  auto fields_paged = run(kizen->list_fields(contacts_object_id, 2));
  ASSERT_TRUE(fields_paged) << fields_paged.error().message;
  ASSERT_EQ(fields_paged->size(), fields->size());
  for (std::size_t i = 0; i < fields->size(); ++i) EXPECT_EQ((*fields_paged)[i].id, (*fields)[i].id);
  EXPECT_GE(requests_log(emu_).at("counts").at("GET /api/custom-objects").to_number<int>(), 1 + 3);
}

TEST_F(kizen_client, wrong_credentials_are_permanent_401_or_403_without_the_key_in_the_message) {
  auto settings = settings_for(emu_);
  settings.api_key = "wrong-key-0123456789";
  auto kizen = make_client(settings);
  auto r = run(kizen->lookup_record("client_client", "ann@example.com"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, error_kind::http);
  EXPECT_TRUE(r.error().http_status == 401 || r.error().http_status == 403) << r.error().http_status;
  EXPECT_FALSE(r.error().retryable);
  EXPECT_EQ(r.error().message.find("wrong-key-0123456789"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("check api_key"), std::string::npos) << r.error().message;
}

TEST_F(kizen_client, missing_business_context_is_401_with_the_server_code) {
  auto settings = settings_for(emu_);
  settings.business_id = "";
  auto kizen = make_client(settings);
  auto r = run(kizen->list_objects());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().http_status, 401);
  EXPECT_FALSE(r.error().retryable);
  EXPECT_NE(r.error().message.find("missing_business_context"), std::string::npos) << r.error().message;
}

TEST_F(kizen_client, a_wrong_user_or_business_is_refused_permanently) {
  auto settings = settings_for(emu_);
  settings.user_id = "00000000-0000-4000-8000-000000000000";
  auto kizen = make_client(settings);
  auto r = run(kizen->list_objects());
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().http_status == 401 || r.error().http_status == 403) << r.error().message;
  EXPECT_FALSE(r.error().retryable);
}

TEST_F(kizen_client, validation_errors_are_permanent_400_with_the_server_messages) {
  auto kizen = make_client();
  auto made = run(kizen->upsert_record("client_client", "dee@example.com", {}));
  ASSERT_TRUE(made) << made.error().message;
  auto bad = run(kizen->patch_record("client_client", made->rec.id,
                                     {field_write::set("first_name", "Dee"), field_write::set("lead_score", "lots")}));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind, error_kind::http);
  EXPECT_EQ(bad.error().http_status, 400);
  EXPECT_FALSE(bad.error().retryable);
  EXPECT_NE(bad.error().message.find("PATCH /api/records/{object}/{id}"), std::string::npos) << bad.error().message;
  // The server's own words, pointing at the second field written.
  EXPECT_NE(bad.error().message.find("fields[1]"), std::string::npos) << bad.error().message;

  auto unknown =
      run(kizen->add_record("companies", {field_write::set("name", "X"), field_write::set("no_such_field", 1)}));
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().http_status, 400);
  EXPECT_GT(unknown.error().message.size(), std::string("HTTP 400 on POST /api/records/{object}/add: ").size())
      << unknown.error().message;
}

TEST_F(kizen_client, unknown_record_is_a_permanent_404) {
  auto kizen = make_client();
  auto r = run(kizen->get_record("client_client", "0f8fad5b-d9cb-469f-a165-70867728950e"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().http_status, 404);
  EXPECT_FALSE(r.error().retryable);
  auto p = run(kizen->patch_record("client_client", "0f8fad5b-d9cb-469f-a165-70867728950e",
                                   {field_write::set("first_name", "x")}));
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().http_status, 404);
}

TEST_F(kizen_client, invalid_arguments_are_refused_before_anything_is_sent) {
  auto kizen = make_client();
  auto r = run(kizen->get_record("client_client", "not-a-uuid"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, error_kind::invalid_request);
  EXPECT_NE(r.error().message.find("entity_id"), std::string::npos);
  auto foreign = run(kizen->search_next("https://evil.example.com/api/records/client_client/search?page=2", {}));
  ASSERT_FALSE(foreign);
  EXPECT_EQ(foreign.error().kind, error_kind::invalid_request);
  EXPECT_EQ(requests_log(emu_).at("total").to_number<int>(), 0);
}

TEST_F(kizen_client, every_call_logs_one_debug_line_without_secrets) {
  captured_log log;
  auto kizen = make_client(settings_for(emu_), log.logger);
  auto made = run(kizen->upsert_record("client_client", "eve@example.com", {field_write::set("first_name", "Eve")}));
  ASSERT_TRUE(made);
  auto missing = run(kizen->get_record("client_client", "0f8fad5b-d9cb-469f-a165-70867728950e"));
  ASSERT_FALSE(missing);

  std::vector<json::object> calls;
  std::istringstream lines(log.text());
  for (std::string line; std::getline(lines, line);) {
    auto v = json::parse(line);  // every line is one JSON object
    if (v.at("msg") == "kizen call") calls.push_back(v.as_object());
  }
  ASSERT_EQ(calls.size(), 2u) << log.text();
  EXPECT_EQ(calls[0].at("method"), "POST");
  EXPECT_EQ(calls[0].at("path"), "/api/records/{object}/upsert");
  EXPECT_EQ(calls[0].at("object"), "client_client");
  EXPECT_EQ(calls[0].at("http_status"), 201);
  EXPECT_TRUE(calls[0].at("duration_ms").is_int64());
  EXPECT_EQ(calls[0].at("level"), "debug");
  EXPECT_EQ(calls[1].at("method"), "GET");
  EXPECT_EQ(calls[1].at("path"), "/api/records/{object}/{id}");
  EXPECT_EQ(calls[1].at("http_status"), 404);

  const auto text = log.text();
  EXPECT_EQ(text.find(emu_.options().api_key), std::string::npos);
  EXPECT_EQ(text.find("eve@example.com"), std::string::npos);  // no bodies, no lookup values
  EXPECT_EQ(text.find("X-API-KEY"), std::string::npos);
}

TEST_F(kizen_client, refuses_plain_http_to_a_remote_host) {
  auto settings = settings_for(emu_);
  settings.base_url = "http://app.go.kizen.com";
  auto made = client::create(io_.get_executor(), settings, nullptr);
  ASSERT_FALSE(made);
  EXPECT_EQ(made.error().kind, error_kind::invalid_request);
  EXPECT_NE(made.error().message.find("loopback"), std::string::npos) << made.error().message;
}

}  // namespace
}  // namespace ks::kizen::test
