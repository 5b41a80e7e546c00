#include "connectors/kizen/request_builder.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace ks::kizen {
namespace {

namespace json = boost::json;

constexpr const char* rec_id = "0f8fad5b-d9cb-469f-a165-70867728950e";
constexpr const char* field_id = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
constexpr const char* other_id = "3b241101-e2bb-4255-8caf-4136c566a962";

api_request ok(request_builder::built b) {
  EXPECT_TRUE(b) << (b ? "" : b.error());
  return b ? std::move(b).value() : api_request{};
}

std::string err(const request_builder::built& b) {
  EXPECT_FALSE(b);
  return b ? std::string() : b.error();
}

TEST(request_builder, get_record) {
  const auto r = ok(request_builder::get_record("client_client", rec_id));
  EXPECT_EQ(r.method, http_method::get);
  EXPECT_EQ(r.target, std::string("/api/records/client_client/") + rec_id);
  EXPECT_EQ(r.path_template, "/api/records/{object}/{id}");
  EXPECT_FALSE(r.body);
  const auto named = ok(request_builder::get_record("client_client", rec_id, {"email", "first_name"}));
  EXPECT_EQ(named.target, std::string("/api/records/client_client/") + rec_id + "?field_names=email,first_name");
}

TEST(request_builder, patch_record_by_name_and_id_with_every_value_kind) {
  std::vector<field_write> writes = {
      field_write::set("email", "ann@example.com"),
      field_write::set("stage", json::object{{"name", "Won"}}),
      field_write::set("score", nullptr),  // null clears
      field_write::set_by_id(field_id, json::array{json::object{{"id", other_id}}}),
      field_write::add("tags", json::array{"vip", "beta"}),
      field_write::remove("tags", json::array{"old"}),
  };
  field_write both;
  both.field = "labels";
  both.add_values = json::array{"a"};
  both.remove_values = json::array{"b"};
  writes.push_back(both);
  const auto r = ok(request_builder::patch_record("client_client", rec_id, writes));
  EXPECT_EQ(r.method, http_method::patch);
  EXPECT_EQ(r.target, std::string("/api/records/client_client/") + rec_id);
  EXPECT_EQ(*r.body, std::string(R"({"fields":[)") +
                         R"({"name":"email","value":"ann@example.com"},)"
                         R"({"name":"stage","value":{"name":"Won"}},)"
                         R"({"name":"score","value":null},)"
                         R"({"id":")" +
                         field_id + R"(","value":[{"id":")" + other_id +
                         R"("}]},)"
                         R"({"name":"tags","add_values":["vip","beta"]},)"
                         R"({"name":"tags","remove_values":["old"]},)"
                         R"({"name":"labels","add_values":["a"],"remove_values":["b"]}]})");
  const auto all = ok(request_builder::patch_record("client_client", rec_id, writes, true));
  EXPECT_EQ(all.target, std::string("/api/records/client_client/") + rec_id + "?return_all_fields=true");
  const auto overwrite =
      ok(request_builder::patch_record("client_client", rec_id, {field_write::set("email", "a@b.c")}, false, true));
  EXPECT_EQ(*overwrite.body, R"({"fields":[{"name":"email","value":"a@b.c"}],"archived_conflict":"overwrite"})");
}

TEST(request_builder, put_record) {
  const auto r = ok(request_builder::put_record("company", rec_id, {field_write::set("name", "Acme")}));
  EXPECT_EQ(r.method, http_method::put);
  EXPECT_EQ(r.target, std::string("/api/records/company/") + rec_id);
  EXPECT_EQ(*r.body, R"({"fields":[{"name":"name","value":"Acme"}]})");
  EXPECT_EQ(*ok(request_builder::put_record("company", rec_id, {}, true)).body,
            R"({"fields":[],"archived_conflict":"overwrite"})");
}

TEST(request_builder, add_record_with_and_without_unarchive) {
  const auto plain = ok(request_builder::add_record("company", {field_write::set("name", "Acme")}));
  EXPECT_EQ(plain.method, http_method::post);
  EXPECT_EQ(plain.target, "/api/records/company/add");
  EXPECT_EQ(plain.path_template, "/api/records/{object}/add");
  EXPECT_EQ(*plain.body, R"({"fields":[{"name":"name","value":"Acme"}]})");
  const auto un = ok(request_builder::add_record("company", {}, unarchive_mode::unarchive));
  EXPECT_EQ(*un.body, R"({"fields":[],"unarchive":"unarchive"})");
  EXPECT_EQ(*ok(request_builder::add_record("company", {}, unarchive_mode::prompt)).body,
            R"({"fields":[],"unarchive":"prompt"})");
  EXPECT_EQ(*ok(request_builder::add_record("company", {}, unarchive_mode::overwrite)).body,
            R"({"fields":[],"unarchive":"overwrite"})");
}

TEST(request_builder, upsert_record) {
  const auto r =
      ok(request_builder::upsert_record("client_client", "ann@example.com", {field_write::set("first_name", "Ann")}));
  EXPECT_EQ(r.method, http_method::post);
  EXPECT_EQ(r.target, "/api/records/client_client/upsert");
  EXPECT_EQ(*r.body, R"({"lookup_value":"ann@example.com","fields":[{"name":"first_name","value":"Ann"}]})");
  upsert_options o;
  o.oncreate_unarchive = unarchive_mode::unarchive;
  o.overwrite_archived_conflict = true;
  o.return_all_fields = true;
  const auto full = ok(request_builder::upsert_record("client_client", "ann@example.com", {}, o));
  EXPECT_EQ(full.target, "/api/records/client_client/upsert?return_all_fields=true");
  EXPECT_EQ(
      *full.body,
      R"({"lookup_value":"ann@example.com","fields":[],"oncreate_unarchive":"unarchive","onupdate_archived_conflict":"overwrite"})");
}

TEST(request_builder, lookup_record_encodes_the_identifier) {
  const auto r = ok(request_builder::lookup_record("client_client", "ann+1@example.com"));
  EXPECT_EQ(r.method, http_method::get);
  // '+' would read as a space in a query string; '&' and '=' would split it; '#' would end it.
  EXPECT_EQ(r.target, "/api/records/client_client/lookup?identifier=ann%2B1@example.com");
  const auto nasty = ok(request_builder::lookup_record("company", "A&B=C #1 100%"));
  EXPECT_EQ(nasty.target, "/api/records/company/lookup?identifier=A%26B%3DC%20%231%20100%25");
  const auto fields = ok(request_builder::lookup_record("company", "Acme", {"name", "industry"}));
  EXPECT_EQ(fields.target, "/api/records/company/lookup?identifier=Acme&field_names=name,industry");
  EXPECT_EQ(ok(request_builder::lookup_record("company", "Acme", {}, true)).target,
            "/api/records/company/lookup?identifier=Acme&all_fields=true");
}

TEST(request_builder, path_segments_are_encoded_one_by_one) {
  const auto r = ok(request_builder::add_record("we/ird?obj#x", {}));
  EXPECT_EQ(r.target, "/api/records/we%2Fird%3Fobj%23x/add");
}

TEST(request_builder, search_with_builtin_and_custom_filters_and_query_params) {
  search_query q;
  filter_group g;
  g.filters.push_back(search_filter::builtin("updated", ">", "2024-12-31T06:00:00.000Z"));
  g.filters.push_back(search_filter::custom_field(field_id, "=", "abc"));
  q.groups.push_back(g);
  q.field_names = {"name", "email"};
  q.ordering = "updated";
  q.page_size = 100;
  const auto r = ok(request_builder::search_records("client_client", q, 2));
  EXPECT_EQ(r.method, http_method::post);
  EXPECT_EQ(r.target, "/api/records/client_client/search?page=2&page_size=100&ordering=updated");
  EXPECT_EQ(r.path_template, "/api/records/{object}/search");
  EXPECT_EQ(
      *r.body,
      std::string(R"({"query":[{"and":true,"filters":[)") +
          R"({"type":"fields","subtype":"non_custom","field":"updated","condition":">","value":"2024-12-31T06:00:00.000Z"},)"
          R"({"type":"fields_v2","subtype":"custom","field":"\"custom\"::)" +
          field_id + R"(","condition":"=","value":"abc"}]}],"and":true,"field_names":["name","email"]})");
}

TEST(request_builder, search_nested_and_or) {
  // (name starts_with "A" OR name starts_with "B") AND (updated >= t)  ... combined with OR at the top.
  search_query q;
  q.all_groups = false;
  q.groups.push_back(
      {false,
       {search_filter::builtin("name", "starts_with", "A"), search_filter::builtin("name", "starts_with", "B")}});
  q.groups.push_back({true, {search_filter::builtin("email", "is_blank")}});
  q.search = "ann smith";
  q.ordering = "-updated";
  const auto r = ok(request_builder::search_records("client_client", q));
  EXPECT_EQ(r.target, "/api/records/client_client/search?ordering=-updated&search=ann%20smith");
  EXPECT_EQ(
      *r.body,
      R"({"query":[{"and":false,"filters":[)"
      R"({"type":"fields","subtype":"non_custom","field":"name","condition":"starts_with","value":"A"},)"
      R"({"type":"fields","subtype":"non_custom","field":"name","condition":"starts_with","value":"B"}]},)"
      R"({"and":true,"filters":[{"type":"fields","subtype":"non_custom","field":"email","condition":"is_blank"}]}],)"
      R"("and":false})");
}

TEST(request_builder, search_groups_nest) {
  // name = "A" AND (stage = "Won" OR (score > 5 AND score < 9))
  search_query q;
  const filter_group inner{true, {search_filter::builtin("score", ">", 5), search_filter::builtin("score", "<", 9)}};
  const filter_group middle{false, {search_filter::builtin("stage", "=", "Won"), inner}};
  q.groups.push_back({true, {search_filter::builtin("name", "=", "A"), middle}});
  const auto r = ok(request_builder::search_records("deals", q));
  EXPECT_EQ(
      *r.body,
      R"({"query":[{"and":true,"filters":[)"
      R"({"type":"fields","subtype":"non_custom","field":"name","condition":"=","value":"A"},)"
      R"({"and":false,"filters":[{"type":"fields","subtype":"non_custom","field":"stage","condition":"=","value":"Won"},)"
      R"({"and":true,"filters":[{"type":"fields","subtype":"non_custom","field":"score","condition":">","value":5},)"
      R"({"type":"fields","subtype":"non_custom","field":"score","condition":"<","value":9}]}]}]}],"and":true})");

  search_query deep;
  filter_group g{true, {search_filter::builtin("name", "is_blank")}};
  for (int i = 0; i < max_group_depth; ++i) g = filter_group{true, {g}};
  deep.groups.push_back(g);
  EXPECT_NE(err(request_builder::search_records("deals", deep)).find("nested deeper than 16"), std::string::npos);

  search_query bad;
  bad.groups.push_back(
      {true, {search_filter::builtin("name", "is_blank"), filter_group{true, {search_filter::builtin("", "=")}}}});
  EXPECT_NE(err(request_builder::search_records("deals", bad)).find("query.groups[0].filters[1].filters[0]"),
            std::string::npos);
}

TEST(request_builder, search_without_filters_sends_only_and) {
  const auto r = ok(request_builder::search_records("company", search_query{}));
  EXPECT_EQ(r.target, "/api/records/company/search");
  EXPECT_EQ(*r.body, R"({"and":true})");
  EXPECT_EQ(*request_builder::search_body(search_query{}), R"({"and":true})");
}

TEST(request_builder, archive_and_unarchive) {
  const auto del = ok(request_builder::archive_record("company", rec_id));
  EXPECT_EQ(del.method, http_method::delete_);
  EXPECT_EQ(del.target, std::string("/api/records/company/") + rec_id);
  EXPECT_FALSE(del.body);
  const auto un = ok(request_builder::unarchive_record("company", rec_id));
  EXPECT_EQ(un.method, http_method::patch);
  EXPECT_EQ(un.target, std::string("/api/records/company/") + rec_id + "/unarchive");
  EXPECT_EQ(un.path_template, "/api/records/{object}/{id}/unarchive");
}

TEST(request_builder, field_values) {
  const auto r = ok(request_builder::field_values(rec_id, field_id, 3, 50, "acme inc"));
  EXPECT_EQ(r.method, http_method::get);
  EXPECT_EQ(r.target, std::string("/api/records/") + rec_id + "/field-values/" + field_id +
                          "?page=3&page_size=50&search=acme%20inc");
  EXPECT_EQ(r.path_template, "/api/records/{entity_id}/field-values/{field_id}");
  const auto bare = ok(request_builder::field_values(rec_id, field_id));
  EXPECT_EQ(bare.target, std::string("/api/records/") + rec_id + "/field-values/" + field_id);
}

TEST(request_builder, metadata) {
  EXPECT_EQ(ok(request_builder::list_objects()).target, "/api/custom-objects?custom_only=false");
  EXPECT_EQ(ok(request_builder::list_objects(2)).target, "/api/custom-objects?custom_only=false&page=2");
  EXPECT_EQ(ok(request_builder::list_objects(std::nullopt, 50)).target,
            "/api/custom-objects?custom_only=false&page_size=50");
  EXPECT_EQ(ok(request_builder::list_fields(other_id, 10)).target,
            std::string("/api/custom-objects/") + other_id + "/fields/settings-search?page_size=10");
  EXPECT_FALSE(request_builder::list_objects(std::nullopt, 0));
  const auto f = ok(request_builder::list_fields(other_id));
  EXPECT_EQ(f.method, http_method::get);
  EXPECT_EQ(f.target, std::string("/api/custom-objects/") + other_id + "/fields/settings-search");
}

TEST(request_builder, bodies_are_valid_json_even_with_awkward_text) {
  const auto r = ok(request_builder::patch_record(
      "company", rec_id, {field_write::set("notes", "quote \" backslash \\ newline \n tab \t unicode \xc3\xa9")}));
  const auto v = json::parse(*r.body);
  EXPECT_EQ(v.at("fields").at(0).at("value").as_string(), "quote \" backslash \\ newline \n tab \t unicode \xc3\xa9");
}

TEST(request_builder, refuses_arguments_that_make_no_valid_request) {
  EXPECT_NE(err(request_builder::get_record("", rec_id)).find("object"), std::string::npos);
  EXPECT_NE(err(request_builder::get_record("company", "42")).find("'42' is not a UUID"), std::string::npos);
  EXPECT_NE(err(request_builder::get_record("company", "../../admin")).find("entity_id"), std::string::npos);
  EXPECT_NE(err(request_builder::upsert_record("company", "", {})).find("lookup_value"), std::string::npos);
  EXPECT_NE(err(request_builder::lookup_record("company", "")).find("identifier"), std::string::npos);
  EXPECT_NE(err(request_builder::get_record("company", rec_id, {"a,b"})).find("comma"), std::string::npos);

  field_write none;
  none.field = "email";
  EXPECT_NE(err(request_builder::patch_record("company", rec_id, {field_write::set("a", 1), none}))
                .find("writes[1] (email): needs a value"),
            std::string::npos);
  field_write mixed = field_write::set("tags", "x");
  mixed.add_values = json::array{"y"};
  EXPECT_NE(err(request_builder::add_record("company", {mixed})).find("cannot be combined"), std::string::npos);
  EXPECT_NE(err(request_builder::add_record("company", {field_write::set("", 1)})).find("writes[0]"),
            std::string::npos);
  EXPECT_NE(err(request_builder::add_record("company", {field_write::set_by_id("email", 1)})).find("not a UUID"),
            std::string::npos);

  search_query q;
  q.groups.push_back({true, {search_filter::custom_field("lead_score", ">", 5)}});
  EXPECT_NE(err(request_builder::search_records("company", q)).find("query.groups[0].filters[0]"), std::string::npos);
  search_query no_condition;
  no_condition.groups.push_back({true, {search_filter::builtin("name", "")}});
  EXPECT_NE(err(request_builder::search_records("company", no_condition)).find("condition"), std::string::npos);
  EXPECT_NE(err(request_builder::search_records("company", search_query{}, 0)).find("page"), std::string::npos);
  search_query bad_size;
  bad_size.page_size = -1;
  EXPECT_NE(err(request_builder::search_records("company", bad_size)).find("page_size"), std::string::npos);
  EXPECT_FALSE(request_builder::field_values(rec_id, "name"));
  EXPECT_FALSE(request_builder::list_fields("client_client"));
}

}  // namespace
}  // namespace ks::kizen
