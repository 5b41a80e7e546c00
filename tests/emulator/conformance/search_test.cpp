// POST /search: filters per field family, nesting, ordering, paging and next links.
#include "conformance_fixture.hpp"

#include <set>

namespace kizen_emulator::conformance {
namespace {

class emulator_search_api : public emulator_test {
 protected:
  std::string field_id(std::string_view object_uuid, std::string_view name) {
    const auto meta =
        api("GET", "/api/custom-objects/" + std::string(object_uuid) + "/fields/settings-search?page_size=100").json();
    for (const auto& f : meta.at("results").as_array())
      if (f.at("name").as_string() == name) return std::string(f.at("id").as_string());
    ADD_FAILURE() << "no field " << name;
    return {};
  }
  std::string object_id(std::string_view name) {
    const auto list = api("GET", "/api/custom-objects?custom_only=false").json();
    for (const auto& o : list.at("results").as_array())
      if (o.at("name").as_string() == name) return std::string(o.at("id").as_string());
    return {};
  }
  static json::object custom(const std::string& id, std::string_view condition, json::value value) {
    return json::object{{"type", "fields_v2"},
                        {"subtype", "custom"},
                        {"field", "\"custom\"::" + id},
                        {"condition", condition},
                        {"value", std::move(value)}};
  }
  static json::object builtin(std::string_view field, std::string_view condition, json::value value) {
    return json::object{{"type", "fields"},
                        {"subtype", "non_custom"},
                        {"field", field},
                        {"condition", condition},
                        {"value", std::move(value)}};
  }
  static json::object query(json::array filters, bool all = true) {
    return json::object{{"query", json::array{json::object{{"and", all}, {"filters", std::move(filters)}}}}};
  }
  std::set<std::string> names(const json::object& page) {
    std::set<std::string> out;
    for (const auto& r : page.at("results").as_array())
      out.insert(std::string(value_of(r.as_object(), "name").as_string()));
    return out;
  }
  void seed_companies() {
    add("companies", fields_of({{"name", "Alpha"},
                                {"employees", 10},
                                {"industry", json::object{{"name", "Software"}}},
                                {"founded", "2001-01-01"},
                                {"domain", "alpha.test"},
                                {"health_score", "0.5"},
                                {"is_partner", true}}));
    add("companies", fields_of({{"name", "Beta"},
                                {"employees", 200},
                                {"industry", json::object{{"name", "Retail"}}},
                                {"founded", "2010-06-15"},
                                {"domain", "beta.example"},
                                {"health_score", "0.9"}}));
    add("companies", fields_of({{"name", "Gamma"}, {"employees", 50}, {"founded", "2020-02-29"}}));
  }
};

TEST_F(emulator_search_api, text_number_date_select_and_checkbox_conditions) {
  seed_companies();
  const auto co = object_id("companies");
  const auto domain = field_id(co, "domain"), employees = field_id(co, "employees"), founded = field_id(co, "founded");
  const auto industry = field_id(co, "industry"), partner = field_id(co, "is_partner"),
             health = field_id(co, "health_score");
  using S = std::set<std::string>;
  EXPECT_EQ(names(search("companies", query({custom(domain, "contains", "EXAMPLE")}))), S({"Beta"}));
  EXPECT_EQ(names(search("companies", query({custom(domain, "!contains", "example")}))), S({"Alpha", "Gamma"}));
  EXPECT_EQ(names(search("companies", query({custom(domain, "starts_with", "alp")}))), S({"Alpha"}));
  EXPECT_EQ(names(search("companies", query({custom(domain, "ends_with", ".test")}))), S({"Alpha"}));
  EXPECT_EQ(names(search("companies", query({custom(domain, "=", "Beta.Example")}))), S({"Beta"}));
  EXPECT_EQ(names(search("companies", query({custom(domain, "!=", "beta.example")}))), S({"Alpha", "Gamma"}));
  EXPECT_EQ(names(search("companies", query({custom(domain, "is_blank", true)}))), S({"Gamma"}));
  EXPECT_EQ(names(search("companies", query({custom(domain, "is_blank", false)}))), S({"Alpha", "Beta"}));
  EXPECT_EQ(names(search("companies", query({custom(employees, ">", 10)}))), S({"Beta", "Gamma"}));
  EXPECT_EQ(names(search("companies", query({custom(employees, "<=", 50)}))), S({"Alpha", "Gamma"}));
  EXPECT_EQ(names(search("companies", query({custom(employees, "between", json::array{20, 200})}))),
            S({"Beta", "Gamma"}));
  EXPECT_EQ(names(search("companies", query({custom(health, ">=", "0.9")}))), S({"Beta"}));
  EXPECT_EQ(names(search("companies", query({custom(founded, "<", "2010-06-15")}))), S({"Alpha"}));
  EXPECT_EQ(names(search("companies", query({custom(founded, "=", "2020-02-29")}))), S({"Gamma"}));
  EXPECT_EQ(names(search("companies", query({custom(industry, "=", json::object{{"name", "Software"}})}))),
            S({"Alpha"}));
  EXPECT_EQ(names(search("companies", query({custom(industry, "is_any_of", json::array{"Software", "Retail"})}))),
            S({"Alpha", "Beta"}));
  EXPECT_EQ(names(search("companies", query({custom(industry, "is_none_of", json::array{"Software"})}))),
            S({"Beta", "Gamma"}));
  EXPECT_EQ(names(search("companies", query({custom(partner, "=", true)}))), S({"Alpha"}));
  EXPECT_EQ(names(search("companies", query({builtin("name", "=", "gamma")}))), S({"Gamma"}));
}

TEST_F(emulator_search_api, tags_relationships_and_timestamps) {
  control("PUT", "/__emulator/clock", json::object{{"frozen_at", "2024-12-31T06:00:00.000Z"}});
  const auto a =
      add("client_client",
          json::array{
              json::object{{"name", "email"}, {"value", "a@example.com"}},
              json::object{{"name", "tags"},
                           {"add_values", json::array{json::object{{"name", "vip"}}, json::object{{"name", "eu"}}}}}});
  control("PUT", "/__emulator/clock", json::object{{"frozen_at", "2025-01-02T00:00:00.000Z"}});
  const auto b =
      add("client_client",
          json::array{json::object{{"name", "email"}, {"value", "b@example.com"}},
                      json::object{{"name", "tags"}, {"add_values", json::array{json::object{{"name", "eu"}}}}}});
  const auto deal =
      add("deals",
          json::array{json::object{{"name", "name"}, {"value", "D"}},
                      json::object{{"name", "contacts"}, {"value", json::array{json::object{{"id", a.at("id")}}}}}});
  add("deals", fields_of({{"name", "E"}}));
  const auto contacts_obj = object_id("client_client"), deals_obj = object_id("deals");
  const auto tags = field_id(contacts_obj, "tags"), contacts = field_id(deals_obj, "contacts");
  auto emails = [&](const json::object& page) {
    std::set<std::string> out;
    for (const auto& r : page.at("results").as_array())
      out.insert(std::string(value_of(r.as_object(), "email").as_string()));
    return out;
  };
  using S = std::set<std::string>;
  EXPECT_EQ(emails(search("client_client", query({custom(tags, "has", json::array{"vip", "eu"})}))),
            S({"a@example.com"}));
  EXPECT_EQ(emails(search("client_client", query({custom(tags, "has_any", json::array{"vip", "eu"})}))),
            S({"a@example.com", "b@example.com"}));
  EXPECT_EQ(emails(search("client_client", query({custom(tags, "!has", "vip")}))), S({"b@example.com"}));
  EXPECT_EQ(emails(search("client_client", query({custom(tags, "!has_any", json::array{"eu"})}))), S());
  EXPECT_EQ(emails(search("client_client", query({builtin("updated", ">", "2024-12-31T06:00:00.000Z")}))),
            S({"b@example.com"}));
  EXPECT_EQ(emails(search("client_client", query({builtin("updated", ">=", "2024-12-31T06:00:00.000Z")}))).size(), 2u);
  EXPECT_EQ(emails(search("client_client", query({builtin("created", "<", "2025-01-01T00:00:00.000Z")}))),
            S({"a@example.com"}));
  EXPECT_EQ(emails(search("client_client", query({builtin("email", "contains", "B@")}))), S({"b@example.com"}));
  EXPECT_EQ(names(search("deals", query({custom(contacts, "contains", a.at("id"))}))), S({"D"}));
  EXPECT_EQ(names(search("deals", query({custom(contacts, "is_any_of", json::array{a.at("id"), b.at("id")})}))),
            S({"D"}));
  EXPECT_EQ(names(search("deals", query({custom(contacts, "is_none_of", json::array{a.at("id")})}))), S({"E"}));
  EXPECT_EQ(names(search("deals", query({custom(contacts, "is_blank", true)}))), S({"E"}));
  EXPECT_EQ(names(search("deals", query({custom(contacts, "!contains", json::object{{"id", a.at("id")}})}))), S({"E"}));
  (void)deal;
}

TEST_F(emulator_search_api, groups_combine_with_and_or_and_nest) {
  seed_companies();
  const auto co = object_id("companies");
  const auto employees = field_id(co, "employees");
  using S = std::set<std::string>;
  json::object either{{"and", false},
                      {"query", json::array{json::object{{"filters", json::array{custom(employees, "<", 20)}}},
                                            json::object{{"filters", json::array{custom(employees, ">", 100)}}}}}};
  EXPECT_EQ(names(search("companies", either)), S({"Alpha", "Beta"}));
  json::object nested =
      query({builtin("name", "!=", "Beta"),
             json::object{{"and", false},
                          {"filters", json::array{custom(employees, "=", 10), custom(employees, "=", 200)}}}});
  EXPECT_EQ(names(search("companies", nested)), S({"Alpha"}));
  EXPECT_EQ(names(search("companies", query({custom(employees, "=", 10), custom(employees, "=", 50)}, false))),
            S({"Alpha", "Gamma"}));
}

TEST_F(emulator_search_api, unknown_fields_conditions_and_bad_values_are_400) {
  seed_companies();
  const auto co = object_id("companies");
  const auto employees = field_id(co, "employees"), industry = field_id(co, "industry");
  const json::object bad[] = {
      query({builtin("no_such_field", "=", "x")}),
      query({builtin("domain", "=", "x")}),  // a custom field is not non_custom
      query({custom("0b9c7f63-6d6f-4f4b-9d2e-0a0b0c0d0e0f", "=", 1)}),
      query({custom(employees, "contains", 1)}),
      query({custom(employees, "=", "many")}),
      query({custom(employees, "between", json::array{1})}),
      query({custom(industry, "=", "Mining")}),
      query({json::object{{"type", "weird"}, {"subtype", "custom"}, {"field", "x"}, {"condition", "="}, {"value", 1}}}),
      json::object{{"field_names", json::array{"name"}}, {"field_ids", json::array{}}},
  };
  for (const auto& body : bad) {
    const auto r = api("POST", "/api/records/companies/search", body);
    EXPECT_EQ(r.status, 400) << json::serialize(body);
  }
  EXPECT_EQ(api("POST", "/api/records/companies/search?ordering=-nope", json::object{}).status, 400);
}

TEST_F(emulator_search_api, field_names_drop_unknown_names_silently) {
  seed_companies();
  const auto page = search("companies", json::object{{"field_names", json::array{"name", "employees", "no_such"}}});
  for (const auto& r : page.at("results").as_array()) {
    EXPECT_LE(r.at("fields").as_object().size(), 2u);
    EXPECT_EQ(field(r.as_object(), "domain"), nullptr);
  }
}

TEST_F(emulator_search_api, search_term_matches_names_and_contact_fields) {
  seed_companies();
  add("client_client", fields_of({{"email", "ada@example.com"}, {"first_name", "Ada"}, {"last_name", "Lovelace"}}));
  add("client_client", fields_of({{"email", "bob@example.com"}}));
  EXPECT_EQ(search("companies", json::object{}, "search=amm").at("count"), 1);
  EXPECT_EQ(search("client_client", json::object{}, "search=LOVE").at("count"), 1);
  EXPECT_EQ(search("client_client", json::object{}, "search=ada%20love").at("count"), 1);  // full name
  EXPECT_EQ(search("client_client", json::object{}, "search=bob%40").at("count"), 1);
  EXPECT_EQ(search("client_client", json::object{}, "search=example").at("count"), 2);
}

TEST_F(emulator_search_api, ordering_with_ties_broken_by_id_and_paging_through_next_links) {
  control("PUT", "/__emulator/clock", json::object{{"frozen_at", "2025-05-05T05:05:05.005Z"}});
  std::vector<std::string> ids;
  for (int i = 0; i < 7; ++i)
    ids.push_back(std::string(
        add("companies", fields_of({{"name", json::string("Co " + std::to_string(i))}, {"employees", i % 3}}))
            .at("id")
            .as_string()));
  std::sort(ids.begin(), ids.end());
  // Same `updated` everywhere: the order is by id, and pages of 3 follow it without gaps.
  std::vector<std::string> seen;
  std::string target = "/api/records/companies/search?ordering=updated&page_size=3&search=co";
  const json::object body{{"field_names", json::array{"name"}}};
  int pages = 0;
  while (!target.empty()) {
    const auto r = api("POST", target, body);
    ASSERT_EQ(r.status, 200) << target;
    const auto page = r.json().as_object();
    EXPECT_EQ(page.at("count"), 7);
    for (const auto& rec : page.at("results").as_array()) seen.push_back(std::string(rec.at("id").as_string()));
    const auto& next = page.at("next");
    if (next.is_null()) break;
    const std::string url(next.as_string());
    ASSERT_TRUE(url.starts_with(base_url())) << url;
    EXPECT_NE(url.find("search=co"), std::string::npos);
    EXPECT_NE(url.find("page_size=3"), std::string::npos);
    target = url.substr(base_url().size());
    ++pages;
  }
  EXPECT_EQ(pages, 2);
  EXPECT_EQ(seen, ids);
  // Descending, with blanks and ties.
  const auto desc = search("companies", json::object{}, "ordering=-employees&page_size=100");
  std::vector<std::int64_t> values;
  for (const auto& rec : desc.at("results").as_array())
    values.push_back(value_of(rec.as_object(), "employees").to_number<std::int64_t>());
  EXPECT_TRUE(std::is_sorted(values.rbegin(), values.rend()));
  const auto by_name = search("companies", json::object{}, "ordering=-name");
  EXPECT_EQ(value_of(by_name.at("results").at(0).as_object(), "name"), "Co 6");
  // Page 2 links back to page 1 without a page parameter.
  const auto second = search("companies", json::object{}, "page=2&page_size=3");
  EXPECT_EQ(second.at("previous").as_string(), base_url() + "/api/records/companies/search?page_size=3");
}

TEST_F(emulator_search_api, page_size_is_capped_at_100_and_bad_pages_are_404) {
  for (int i = 0; i < 105; ++i) add("companies", fields_of({{"name", json::string("N" + std::to_string(i))}}));
  auto page = search("companies", json::object{}, "page_size=500");
  EXPECT_EQ(page.at("results").as_array().size(), 100u);
  EXPECT_FALSE(page.at("next").is_null());
  page = search("companies", json::object{});  // default page size
  EXPECT_EQ(page.at("results").as_array().size(), 50u);
  page = search("companies", json::object{}, "page=2&page_size=100");
  EXPECT_EQ(page.at("results").as_array().size(), 5u);
  EXPECT_TRUE(page.at("next").is_null());
  for (const char* q : {"page=3&page_size=100", "page=0", "page=abc"}) {
    const auto r = api("POST", std::string("/api/records/companies/search?") + q, json::object{});
    EXPECT_EQ(r.status, 404) << q;
    EXPECT_EQ(r.json(), json::parse(R"({"detail":"Invalid page."})"));
  }
}

}  // namespace
}  // namespace kizen_emulator::conformance
