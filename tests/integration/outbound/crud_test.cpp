// Inserts, updates and deletes of related tables produce exactly the expected Kizen state and
// exactly the expected requests (issue 4, first "Done when" item), plus the field-level rules:
// from_kizen columns are never sent, unmapped updates are not captured, NULL clears a field,
// multi-value columns send add_values/remove_values.
#include "tests/integration/outbound/outbound_fixture.hpp"

namespace ks::test::outbound {
namespace {

namespace json = boost::json;

// The names of the fields a write request carries.
std::set<std::string> written_fields(const logged_request& r) {
  std::set<std::string> out;
  for (const auto& [name, entry] : r.field_writes()) out.insert(name);
  return out;
}

std::vector<std::string> item_names(const json::object& write, const char* list) {
  std::vector<std::string> out;
  if (const auto* items = write.if_contains(list); items && items->is_array())
    for (const auto& i : items->get_array()) {
      const auto& o = i.as_object();
      out.push_back(o.contains("name") ? std::string(o.at("name").as_string())
                                       : "id:" + std::string(o.at("id").as_string()));
    }
  std::sort(out.begin(), out.end());
  return out;
}

// The writes to records since `since` (metadata reads at start-up and the inbound sync's searches
// and reads are left out).
std::vector<logged_request> record_requests(emulator_control& kizen, std::int64_t since) {
  std::vector<logged_request> out;
  for (auto& r : kizen.requests(since).requests)
    if (r.object() && r.method != "GET" && r.path_template != search_path) out.push_back(r);
  return out;
}

std::string describe(const std::vector<logged_request>& requests) {
  std::string out;
  for (const auto& r : requests) out += "  " + r.method + " " + r.path + " " + json::serialize(r.body) + "\n";
  return out;
}

TEST_F(outbound_test, crud_of_related_tables_gives_exact_state_and_requests) {
  config_options options;
  options.objects_yaml = std::string(companies_yaml) + contacts_yaml;
  const auto cfg = prepare(options);
  start_daemon(cfg);
  auto since = kizen().requests().last_seq();

  // --- inserts: one create (upsert by lookup) per row ---
  sql("INSERT INTO companies (id, name, domain, employees, industry) VALUES"
      " (1, 'Acme', 'acme.example', 120, 'Software'), (2, 'Globex', 'globex.example', 5400, 'Finance')");
  ASSERT_TRUE(wait_all_applied());
  sql("INSERT INTO contacts (id, email, first_name, last_name, company_id, tags, stage, lead_score, birthday) VALUES"
      " (1, 'ada@acme.example', 'Ada', 'Lovelace', 1, '{vip,newsletter}', 'Lead', 90, '1815-12-10'),"
      " (2, 'alan@globex.example', 'Alan', 'Turing', 2, '{newsletter}', 'Qualified', 75, NULL),"
      " (3, 'grace@example.com', 'Grace', 'Hopper', NULL, NULL, NULL, NULL, NULL)");
  ASSERT_TRUE(wait_all_applied());
  expect_in_sync("companies", companies_expected_sql);
  expect_in_sync("client_client", contacts_expected_sql);

  const auto acme = entity_of("companies", "1");
  const auto globex = entity_of("companies", "2");
  const auto ada = entity_of("client_client", "1");
  const auto alan = entity_of("client_client", "2");
  const auto grace = entity_of("client_client", "3");
  {
    const auto creates = record_requests(kizen(), since);
    ASSERT_EQ(creates.size(), 5u) << describe(creates);
    std::map<std::string, const logged_request*> by_lookup;
    for (const auto& r : creates) {
      EXPECT_EQ(r.method, "POST");
      EXPECT_EQ(r.path_template, upsert_path) << r.path;
      EXPECT_EQ(r.status / 100, 2) << json::serialize(r.body);
      by_lookup[std::string(r.body.at("lookup_value").as_string())] = &r;
    }
    ASSERT_EQ(by_lookup.size(), 5u) << describe(creates);
    EXPECT_EQ(written_fields(*by_lookup.at("Acme")),
              (std::set<std::string>{"name", "domain", "employees", "industry"}));
    const auto ada_create = by_lookup.at("ada@acme.example")->field_writes();
    EXPECT_EQ(ada_create.at("company").at("value").at("id").as_string(), acme);
    EXPECT_EQ(item_names(ada_create.at("tags"), "add_values"), (std::vector<std::string>{"newsletter", "vip"}));
    // A create sends every mapped field; blank ones as null, empty multi-values not at all.
    EXPECT_EQ(
        written_fields(*by_lookup.at("grace@example.com")),
        (std::set<std::string>{"email", "first_name", "last_name", "company", "stage", "lead_score", "birthday"}));
    EXPECT_TRUE(by_lookup.at("grace@example.com")->field_writes().at("company").at("value").is_null());
  }

  // --- single-row updates: one PATCH each, with only the changed fields ---
  struct step {
    std::string statement;
    std::string entity;
    std::set<std::string> fields;
  };
  const std::vector<step> steps = {
      {"UPDATE contacts SET first_name = 'Augusta Ada' WHERE id = 1", ada, {"first_name"}},
      {"UPDATE contacts SET tags = '{vip,speaker}' WHERE id = 1", ada, {"tags"}},
      {"UPDATE contacts SET stage = 'Customer', company_id = 2 WHERE id = 1", ada, {"stage", "company"}},
      {"UPDATE contacts SET last_name = NULL, birthday = NULL WHERE id = 1", ada, {"last_name", "birthday"}},
      {"UPDATE companies SET employees = 150 WHERE id = 1", acme, {"employees"}},
      {"UPDATE contacts SET lead_score = lead_score + 1 WHERE id = 2", alan, {"lead_score"}},
  };
  since = kizen().requests().last_seq();
  for (const auto& s : steps) {
    sql(s.statement);
    ASSERT_TRUE(wait_all_applied()) << s.statement;
  }
  // An update of unmapped columns only is not captured at all.
  const auto outbox_rows = count("SELECT count(*) FROM kizen_sync.outbox");
  sql("UPDATE contacts SET notes = 'met at a conference' WHERE id = 2");
  sql("UPDATE contacts SET first_name = first_name WHERE id = 2");  // no value changes
  EXPECT_EQ(count("SELECT count(*) FROM kizen_sync.outbox"), outbox_rows);
  {
    const auto patches = record_requests(kizen(), since);
    ASSERT_EQ(patches.size(), steps.size()) << describe(patches);
    for (std::size_t i = 0; i < steps.size(); ++i) {
      EXPECT_EQ(patches[i].method, "PATCH") << steps[i].statement;
      EXPECT_EQ(patches[i].entity_id(), steps[i].entity) << steps[i].statement;
      EXPECT_EQ(written_fields(patches[i]), steps[i].fields) << steps[i].statement << "\n" << describe(patches);
    }
    // Multi-value: what was added and what was removed, not the whole list.
    const auto tags = patches[1].field_writes().at("tags");
    EXPECT_FALSE(tags.contains("value"));
    EXPECT_EQ(item_names(tags, "add_values"), (std::vector<std::string>{"speaker"}));
    EXPECT_EQ(item_names(tags, "remove_values").size(), 1u);
    // NULL clears.
    EXPECT_TRUE(patches[3].field_writes().at("last_name").at("value").is_null());
    EXPECT_TRUE(patches[3].field_writes().at("birthday").at("value").is_null());
  }
  expect_in_sync("companies", companies_expected_sql);
  expect_in_sync("client_client", contacts_expected_sql);
  {
    const auto state = kizen().state();
    const auto* rec = state.find(ada);
    ASSERT_NE(rec, nullptr);
    EXPECT_EQ(rec->names("tags"), (std::vector<std::string>{"speaker", "vip"}));
    EXPECT_FALSE(rec->has("last_name"));
    EXPECT_FALSE(rec->has("birthday"));
    EXPECT_EQ(rec->text("company"), globex);
    EXPECT_EQ(rec->text("stage"), "Customer");
  }

  // --- deletes: one DELETE (archive) each; the identity goes ---
  since = kizen().requests().last_seq();
  sql("DELETE FROM contacts WHERE id = 3");
  sql("DELETE FROM companies WHERE id = 1");
  ASSERT_TRUE(wait_all_applied());
  {
    const auto deletes = record_requests(kizen(), since);
    ASSERT_EQ(deletes.size(), 2u) << describe(deletes);
    std::set<std::string> archived;
    for (const auto& r : deletes) {
      EXPECT_EQ(r.method, "DELETE");
      EXPECT_EQ(r.status, 204);
      archived.insert(r.entity_id().value_or(""));
    }
    EXPECT_EQ(archived, (std::set<std::string>{grace, acme}));
  }
  EXPECT_EQ(entity_of("client_client", "3"), "");
  EXPECT_EQ(entity_of("companies", "1"), "");
  const auto state = kizen().state();
  ASSERT_NE(state.find(grace), nullptr);
  EXPECT_TRUE(state.find(grace)->archived);
  EXPECT_TRUE(state.find(acme)->archived);
  expect_in_sync("companies", companies_expected_sql);
  expect_in_sync("client_client", contacts_expected_sql);
  expect_clean_stop();
}

TEST_F(outbound_test, from_kizen_columns_are_never_sent) {
  sql(tables_sql);
  config_options options;
  options.objects_yaml = R"yaml(
  - object: client_client
    table: public.contacts
    key: id
    entity_id_column: kizen_id
    lookup: email
    direction: both
    fields:
      - {column: email, field: email}
      - {column: first_name, field: first_name}
      - {column: lead_score, field: lead_score, direction: from_kizen}
)yaml";
  const auto cfg = write_config(options);
  migrate(cfg);
  start_daemon(cfg);
  const auto since = kizen().requests().last_seq();
  sql("INSERT INTO contacts (id, email, first_name, lead_score) VALUES (1, 'ada@example.com', 'Ada', 42)");
  ASSERT_TRUE(wait_all_applied());
  const auto outbox_rows = count("SELECT count(*) FROM kizen_sync.outbox");
  sql("UPDATE contacts SET lead_score = 43 WHERE id = 1");
  EXPECT_EQ(count("SELECT count(*) FROM kizen_sync.outbox"), outbox_rows) << "a from_kizen column was captured";
  sql("UPDATE contacts SET lead_score = 44, first_name = 'Augusta' WHERE id = 1");
  ASSERT_TRUE(wait_all_applied());

  const auto requests = record_requests(kizen(), since);
  ASSERT_EQ(requests.size(), 2u) << describe(requests);
  EXPECT_EQ(written_fields(requests[0]), (std::set<std::string>{"email", "first_name"}));
  EXPECT_EQ(requests[1].method, "PATCH");
  EXPECT_EQ(written_fields(requests[1]), (std::set<std::string>{"first_name"}));
  const auto state = kizen().state();
  const auto* rec = state.find(entity_of("client_client", "1"));
  ASSERT_NE(rec, nullptr);
  EXPECT_FALSE(rec->has("lead_score"));
  EXPECT_EQ(rec->text("first_name"), "Augusta");
}

}  // namespace
}  // namespace ks::test::outbound
