// Every file in config/examples/ loads cleanly; quickstart.yaml holds what deploy/quickstart.sh
// relies on.

#include <gtest/gtest.h>

#include <filesystem>

#include "config_test_support.hpp"

namespace ks::config::test {
namespace {

const std::string examples_dir = KS_CONFIG_EXAMPLES_DIR;

env_lookup example_env() {
  return env_of({{"KIZEN_API_KEY", "example-key"},
                 {"KIZEN_BUSINESS_ID", "5f0c3a5e-8d7b-4c1e-9a51-3b2f6d7e8a90"},
                 {"KIZEN_USER_ID", "7b1d2c3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e"},
                 {"DATABASE_URL", "postgresql:///kizen_sync_demo"}});
}

TEST(config_examples, every_example_loads_without_problems) {
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(examples_dir)) {
    if (entry.path().extension() != ".yaml" && entry.path().extension() != ".yml") continue;
    ++count;
    std::vector<problem> warnings;
    auto r = load_config_file(entry.path().string(), example_env(), &warnings);
    ASSERT_TRUE(r) << entry.path() << describe(r.error());
    EXPECT_TRUE(warnings.empty()) << entry.path() << describe(warnings);
  }
  EXPECT_GE(count, 2);
}

TEST(config_examples, quickstart_targets_the_local_emulator) {
  auto r = load_config_file(examples_dir + "/quickstart.yaml", env_of({{"DATABASE_URL", "postgresql:///demo"}}));
  ASSERT_TRUE(r) << describe(r.error());
  const config& c = *r;
  EXPECT_EQ(c.kizen.base_url, "http://127.0.0.1:8089");
  EXPECT_EQ(c.kizen.api_key, "demo-key");
  EXPECT_EQ(c.kizen.business_id, "5f0c3a5e-8d7b-4c1e-9a51-3b2f6d7e8a90");
  EXPECT_EQ(c.kizen.user_id, "7b1d2c3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e");
  EXPECT_EQ(c.postgres.url, "postgresql:///demo");
  EXPECT_EQ(c.daemon.http_listen, "127.0.0.1:9464");
  EXPECT_EQ(c.daemon.log_level, "info");
  ASSERT_EQ(c.objects.size(), 2u);

  const object_mapping* companies = c.find_object("companies");
  ASSERT_NE(companies, nullptr);
  EXPECT_EQ(companies->table_schema, "public");
  EXPECT_EQ(companies->table, "demo_companies");
  EXPECT_EQ(companies->key, "id");
  EXPECT_EQ(companies->entity_id_column, "kizen_id");
  EXPECT_EQ(companies->lookup, "name");
  EXPECT_EQ(companies->direction, sync_direction::both);
  EXPECT_EQ(companies->conflict, conflict_policy::newest_wins);
  EXPECT_EQ(companies->pull_interval, std::chrono::seconds(2));
  ASSERT_EQ(companies->fields.size(), 4u);
  for (const char* column : {"name", "domain", "employees", "industry"}) {
    ASSERT_NE(companies->field_for_column(column), nullptr) << column;
    EXPECT_EQ(companies->field_for_column(column)->field, column);
  }

  const object_mapping* contacts = c.find_object("client_client");
  ASSERT_NE(contacts, nullptr);
  EXPECT_EQ(contacts->table, "demo_contacts");
  EXPECT_EQ(contacts->lookup, "email");
  EXPECT_EQ(contacts->entity_id_column, "kizen_id");
  EXPECT_EQ(contacts->pull_interval, std::chrono::seconds(2));
  ASSERT_EQ(contacts->fields.size(), 7u);
  const field_mapping* company = contacts->field_for_column("company_id");
  ASSERT_NE(company, nullptr);
  EXPECT_EQ(company->field, "company");
  EXPECT_EQ(company->references, "companies");
  ASSERT_NE(contacts->field_for_column("tags"), nullptr);
  EXPECT_TRUE(contacts->field_for_column("tags")->multi);
  for (const char* column : {"email", "first_name", "last_name", "lead_score", "stage"}) {
    ASSERT_NE(contacts->field_for_column(column), nullptr) << column;
  }
}

TEST(config_examples, quickstart_follows_the_environment) {
  auto r = load_config_file(examples_dir + "/quickstart.yaml", env_of({{"DATABASE_URL", "postgresql:///demo"},
                                                                       {"KIZEN_BASE_URL", "http://localhost:9999"},
                                                                       {"KIZEN_API_KEY", "other-key"}}));
  ASSERT_TRUE(r) << describe(r.error());
  EXPECT_EQ(r->kizen.base_url, "http://localhost:9999");
  EXPECT_EQ(r->kizen.api_key, "other-key");
  auto missing = load_config_file(examples_dir + "/quickstart.yaml", env_of({}));
  ASSERT_FALSE(missing);
  EXPECT_NE(describe(missing.error()).find("DATABASE_URL is not set"), std::string::npos);
}

}  // namespace
}  // namespace ks::config::test
