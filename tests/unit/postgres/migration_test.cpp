#include "connectors/postgres/migration.hpp"

#include <gtest/gtest.h>

namespace ks::pg {
namespace {

TEST(pg_migration, embedded_migrations_are_numbered_in_order_from_one) {
  const auto all = embedded_migrations();
  ASSERT_GE(all.size(), 2u);
  EXPECT_EQ(all[0].version, 1);
  EXPECT_EQ(all[0].name, "001_sync_schema");
  for (std::size_t i = 1; i < all.size(); ++i) EXPECT_GT(all[i].version, all[i - 1].version);
  for (const auto& m : all) {
    EXPECT_FALSE(m.sql.empty()) << m.name;
    EXPECT_EQ(std::stoi(std::string(m.name)), m.version) << m.name;
  }
}

TEST(pg_migration, every_placeholder_is_substituted) {
  for (const auto& m : embedded_migrations()) {
    const auto sql = render_migration(m.sql, "kizen_sync");
    EXPECT_EQ(sql.find("@schema@"), std::string::npos) << m.name;
    EXPECT_EQ(sql.find("@channel@"), std::string::npos) << m.name;
    EXPECT_EQ(sql.find("@body@"), std::string::npos) << m.name;
  }
}

TEST(pg_migration, schema_is_substituted_as_a_quoted_identifier) {
  const auto sql = render_migration("CREATE TABLE @schema@.t (); SELECT @channel@;", "Sync \"Schema\"");
  EXPECT_EQ(sql, "CREATE TABLE \"Sync \"\"Schema\"\"\".t (); SELECT E'Sync \"Schema\"_changes';");
}

TEST(pg_migration, channel_is_a_safe_literal) {
  const auto sql = render_migration("@channel@", "it's");
  EXPECT_EQ(sql, "E'it''s_changes'");
}

TEST(pg_migration, dollar_quote_tag_avoids_text_of_the_schema) {
  const std::string body = "AS @body@ SELECT @schema@ @body@";
  EXPECT_EQ(render_migration(body, "plain"), "AS $ks$ SELECT \"plain\" $ks$");
  // A schema containing the default tag would end the body early: another tag is chosen.
  EXPECT_EQ(render_migration(body, "x$ks$y"), "AS $ks1$ SELECT \"x$ks$y\" $ks1$");
  const auto trickier = render_migration(body, "$ks$$ks1$");
  EXPECT_EQ(trickier.find("AS $ks$ "), std::string::npos) << trickier;
  EXPECT_EQ(trickier.find("AS $ks1$ "), std::string::npos) << trickier;
}

}  // namespace
}  // namespace ks::pg
