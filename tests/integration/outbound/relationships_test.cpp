// Relationships: a referenced row reaches Kizen before the relationship to it is written, whether
// it predates `migrate` (no outbox entry at all) or arrives in the same transaction.
#include "tests/integration/outbound/outbound_fixture.hpp"

namespace ks::test::outbound {
namespace {

namespace json = boost::json;

config_options related_objects() {
  config_options options;
  options.objects_yaml = std::string(companies_yaml) + contacts_yaml;
  return options;
}

// Seq of the first request that created a record of `object` with this lookup value.
std::int64_t create_seq(const request_log& log, const std::string& object, const std::string& lookup) {
  for (const auto* r : log.matching("POST", upsert_path))
    if (r->object() == object && r->body.at("lookup_value").as_string() == lookup && r->applied()) return r->seq;
  return 0;
}

TEST_F(outbound_test, company_that_predates_migrate_is_created_first) {
  sql(tables_sql);
  sql("INSERT INTO companies (id, name, domain) VALUES (1, 'Acme', 'acme.example'), (2, 'Unrelated', NULL)");
  const auto cfg = write_config(related_objects());
  migrate(cfg);
  ASSERT_EQ(count("SELECT count(*) FROM kizen_sync.outbox"), 0);
  start_daemon(cfg);

  sql("INSERT INTO contacts (id, email, first_name, company_id) VALUES (1, 'ada@acme.example', 'Ada', 1)");
  ASSERT_TRUE(wait_all_applied());

  const auto acme = entity_of("companies", "1");
  ASSERT_FALSE(acme.empty()) << "the referenced company never reached Kizen";
  const auto state = kizen().state();
  ASSERT_EQ(state.live("companies").size(), 1u) << "only the referenced company is brought over";
  EXPECT_EQ(state.live("companies")[0]->id, acme);
  const auto* ada = state.find(entity_of("client_client", "1"));
  ASSERT_NE(ada, nullptr);
  EXPECT_EQ(ada->text("company"), acme);
  expect_in_sync("client_client", contacts_expected_sql);
  EXPECT_EQ(scalar("SELECT kizen_id::text FROM companies WHERE id = 1"), acme);

  // The company was created first; the contact's create already carried the relationship.
  const auto log = kizen().requests();
  const auto company_created = create_seq(log, "companies", "Acme");
  const auto contact_created = create_seq(log, "client_client", "ada@acme.example");
  ASSERT_GT(company_created, 0);
  ASSERT_GT(contact_created, 0);
  EXPECT_LT(company_created, contact_created);
  const auto contact_requests = [&] {
    std::vector<const logged_request*> out;
    for (const auto& r : log.requests)
      if (r.object() == "client_client") out.push_back(&r);
    return out;
  }();
  ASSERT_EQ(contact_requests.size(), 1u);
  EXPECT_EQ(contact_requests[0]->field_writes().at("company").at("value").at("id").as_string(), acme);
}

TEST_F(outbound_test, contact_and_company_inserted_together_end_linked) {
  const auto cfg = prepare(related_objects());
  start_daemon(cfg);
  const auto since = kizen().requests().last_seq();
  {
    pqxx::work tx(db());
    for (int i = 1; i <= 20; ++i) {
      tx.exec_params("INSERT INTO companies (id, name) VALUES ($1, $2)", i, "Company " + std::to_string(i));
      tx.exec_params("INSERT INTO contacts (id, email, company_id) VALUES ($1, $2, $1)", i,
                     "person" + std::to_string(i) + "@example.com");
    }
    tx.commit();
  }
  ASSERT_TRUE(wait_all_applied());
  expect_in_sync("companies", companies_expected_sql);
  expect_in_sync("client_client", contacts_expected_sql);
  const auto state = kizen().state();
  for (int i = 1; i <= 20; ++i) {
    const auto* contact = state.find(entity_of("client_client", std::to_string(i)));
    ASSERT_NE(contact, nullptr) << i;
    EXPECT_EQ(contact->text("company"), entity_of("companies", std::to_string(i))) << i;
  }
  // One create per row: each contact waited for its company instead of following up with a PATCH.
  const auto log = kizen().requests(since);
  EXPECT_EQ(log.matching("POST", upsert_path).size(), 40u);
  EXPECT_EQ(log.matching("PATCH").size(), 0u);
}

}  // namespace
}  // namespace ks::test::outbound
