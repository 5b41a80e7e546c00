// Legal but risky settings load with warnings (severity::warning) at their place.

#include <gtest/gtest.h>

#include "config_test_support.hpp"

namespace ks::config::test {
namespace {

// Loads `yaml` expecting success and exactly one warning at line:col containing `text`.
void expect_one_warning(const std::string& yaml, int line, int column, std::string_view text) {
  std::vector<problem> warnings;
  auto r = load(yaml, env_of({}), &warnings);
  ASSERT_TRUE(r) << describe(r.error());
  ASSERT_EQ(warnings.size(), 1u) << describe(warnings);
  EXPECT_EQ(warnings[0].level, severity::warning);
  EXPECT_EQ(warnings[0].where.line, line) << describe(warnings);
  EXPECT_EQ(warnings[0].where.column, column) << describe(warnings);
  EXPECT_NE(warnings[0].message.find(text), std::string::npos) << describe(warnings);
}

TEST(config_warnings, none_for_a_complete_object) {
  std::vector<problem> warnings{{{}, "stale", severity::warning}};
  auto r = load(with_tail(""), env_of({}), &warnings);
  ASSERT_TRUE(r) << describe(r.error());
  EXPECT_TRUE(warnings.empty()) << describe(warnings);  // cleared, not appended to
}

TEST(config_warnings, tls_verify_false) {
  expect_one_warning(with_kizen("  tls_verify: false\n"), 6, 15,
                     "kizen.tls_verify is false: Kizen's TLS certificate and host name are NOT "
                     "verified");
  std::vector<problem> warnings;
  auto r = load(with_kizen("  tls_verify: false\n"), env_of({}), &warnings);
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->kizen.tls_verify);
}

TEST(config_warnings, both_directions_without_entity_id_column_or_key_field) {
  expect_one_warning(with_objects("objects:\n"
                                  "  - object: companies\n"  // 9
                                  "    table: companies\n"
                                  "    key: id\n"
                                  "    lookup: name\n"
                                  "    fields: [{column: name, field: name}]\n"),
                     9, 5,
                     "objects[0] (companies) has neither entity_id_column nor key_field: records "
                     "created in Kizen cannot be inserted");
}

TEST(config_warnings, key_field_is_enough_identity) {
  std::vector<problem> warnings;
  auto r = load(with_objects("objects:\n"
                             "  - object: companies\n"
                             "    table: companies\n"
                             "    key: id\n"
                             "    lookup: name\n"
                             "    key_field: external_id\n"
                             "    fields: [{column: name, field: name}]\n"),
                env_of({}), &warnings);
  ASSERT_TRUE(r) << describe(r.error());
  EXPECT_TRUE(warnings.empty()) << describe(warnings);
  EXPECT_EQ(r->objects[0].key_field, "external_id");
}

TEST(config_warnings, to_kizen_needs_no_identity_column) {
  std::vector<problem> warnings;
  auto r = load(with_objects("objects:\n"
                             "  - object: companies\n"
                             "    table: companies\n"
                             "    key: id\n"
                             "    lookup: name\n"
                             "    direction: to_kizen\n"
                             "    fields: [{column: name, field: name}]\n"),
                env_of({}), &warnings);
  ASSERT_TRUE(r) << describe(r.error());
  EXPECT_TRUE(warnings.empty()) << describe(warnings);
}

TEST(config_warnings, neither_lookup_nor_match_field) {
  expect_one_warning(with_objects("objects:\n"
                                  "  - object: companies\n"  // 9
                                  "    table: companies\n"
                                  "    key: id\n"
                                  "    entity_id_column: kizen_id\n"
                                  "    fields: [{column: name, field: name}]\n"),
                     9, 5,
                     "objects[0] (companies) has neither lookup nor match_field: new rows are "
                     "created in Kizen with add, guarded against duplicates only by the identity "
                     "map");
}

TEST(config_warnings, neither_lookup_nor_match_field_for_to_kizen) {
  expect_one_warning(with_objects("objects:\n"
                                  "  - object: companies\n"
                                  "    table: companies\n"
                                  "    key: id\n"
                                  "    direction: to_kizen\n"
                                  "    fields: [{column: name, field: name}]\n"),
                     9, 5, "has neither lookup nor match_field");
}

TEST(config_warnings, match_field_is_a_duplicate_guard) {
  std::vector<problem> warnings;
  auto r = load(with_objects("objects:\n"
                             "  - object: companies\n"
                             "    table: companies\n"
                             "    key: id\n"
                             "    entity_id_column: kizen_id\n"
                             "    match_field: external_id\n"
                             "    fields: [{column: name, field: name}, {column: id, field: "
                             "external_id}]\n"),
                env_of({}), &warnings);
  ASSERT_TRUE(r) << describe(r.error());
  EXPECT_TRUE(warnings.empty()) << describe(warnings);
}

TEST(config_warnings, from_kizen_needs_no_lookup) {
  std::vector<problem> warnings;
  auto r = load(with_objects("objects:\n"
                             "  - object: companies\n"
                             "    table: companies\n"
                             "    key: id\n"
                             "    entity_id_column: kizen_id\n"
                             "    direction: from_kizen\n"
                             "    fields: [{column: name, field: name}]\n"),
                env_of({}), &warnings);
  ASSERT_TRUE(r) << describe(r.error());
  EXPECT_TRUE(warnings.empty()) << describe(warnings);
}

TEST(config_warnings, come_back_with_the_errors_when_loading_fails) {
  auto r = load(with_kizen("  tls_verify: false\n  max_connections: 0\n"));
  ASSERT_FALSE(r);
  ASSERT_EQ(r.error().size(), 2u) << describe(r.error());
  EXPECT_EQ(r.error()[0].level, severity::warning);
  EXPECT_EQ(r.error()[0].where.line, 6);
  EXPECT_EQ(r.error()[1].level, severity::error);
  EXPECT_EQ(r.error()[1].where.line, 7);
  EXPECT_EQ(r.error()[0].to_string().rfind("test.yaml:6:15: warning: kizen.tls_verify", 0), 0u)
      << r.error()[0].to_string();
}

}  // namespace
}  // namespace ks::config::test
