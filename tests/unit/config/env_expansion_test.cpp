// ${VAR}, ${VAR:-default} and $$ in config values, and that values from the environment never
// show up in messages.

#include <gtest/gtest.h>

#include <cstdlib>

#include "config/env_expansion.hpp"
#include "config_test_support.hpp"

namespace ks::config::test {
namespace {

std::string expand(std::string_view text, std::map<std::string, std::string> vars = {}) {
  auto r = expand_environment(text, env_of(std::move(vars)));
  EXPECT_TRUE(r) << (r ? "" : r.error());
  return r ? r->text : "<error>";
}

std::string expand_error(std::string_view text, std::map<std::string, std::string> vars = {}) {
  auto r = expand_environment(text, env_of(std::move(vars)));
  EXPECT_FALSE(r) << text;
  return r ? "<no error>" : r.error();
}

TEST(env_expansion, set_variable_is_substituted) {
  EXPECT_EQ(expand("${A}", {{"A", "x"}}), "x");
  EXPECT_EQ(expand("pre-${A}-${B}-post", {{"A", "1"}, {"B", "2"}}), "pre-1-2-post");
  auto r = expand_environment("${A}", env_of({{"A", "x"}}));
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->from_environment);
}

TEST(env_expansion, set_but_empty_variable_is_empty) { EXPECT_EQ(expand("[${A}]", {{"A", ""}}), "[]"); }

TEST(env_expansion, unset_variable_is_an_error_naming_it) {
  EXPECT_EQ(expand_error("${KIZEN_API_KEY}"),
            "environment variable KIZEN_API_KEY is not set (write ${KIZEN_API_KEY:-default} to "
            "give a default)");
}

TEST(env_expansion, default_applies_when_unset_or_empty) {
  EXPECT_EQ(expand("${A:-http://127.0.0.1:8089}"), "http://127.0.0.1:8089");
  EXPECT_EQ(expand("${A:-fallback}", {{"A", ""}}), "fallback");
  EXPECT_EQ(expand("${A:-fallback}", {{"A", "set"}}), "set");
  EXPECT_EQ(expand("${A:-}"), "");
  auto r = expand_environment("${A:-d}", env_of({}));
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->from_environment);  // the default is written in the file: not a secret
}

TEST(env_expansion, double_dollar_is_a_literal_dollar) {
  EXPECT_EQ(expand("pa$$word"), "pa$word");
  EXPECT_EQ(expand("$$${A}$$", {{"A", "x"}}), "$x$");
  EXPECT_EQ(expand("$${A}"), "${A}");  // escaped: not a reference
  EXPECT_EQ(expand("no dollars"), "no dollars");
}

TEST(env_expansion, values_are_not_expanded_again) { EXPECT_EQ(expand("${A}", {{"A", "${B}"}, {"B", "no"}}), "${B}"); }

TEST(env_expansion, malformed_references_are_errors) {
  EXPECT_NE(expand_error("$A").find("'$' must start a variable reference"), std::string::npos);
  EXPECT_NE(expand_error("cost: 5$").find("'$' must start a variable reference"), std::string::npos);
  EXPECT_NE(expand_error("${A").find("without a closing '}'"), std::string::npos);
  EXPECT_NE(expand_error("${}").find("invalid variable reference"), std::string::npos);
  EXPECT_NE(expand_error("${A-B}").find("invalid variable reference '${A-B}'"), std::string::npos);
}

TEST(env_expansion, expands_numbers_durations_booleans_and_enums_in_the_file) {
  const std::string yaml = with_objects(R"(objects:
  - object: ${OBJECT}
    table: ${SCHEMA:-public}.companies
    key: id
    entity_id_column: kizen_id
    lookup: name
    direction: ${DIRECTION}
    pull_interval: ${PULL:-2s}
    fields: [{column: name, field: name}]
daemon:
  batch_size: ${BATCH}
)");
  auto r = load(yaml, env_of({{"OBJECT", "companies"}, {"DIRECTION", "to_kizen"}, {"BATCH", "50"}}));
  ASSERT_TRUE(r) << describe(r.error());
  EXPECT_EQ(r->objects[0].object, "companies");
  EXPECT_EQ(r->objects[0].table_schema, "public");
  EXPECT_EQ(r->objects[0].direction, sync_direction::to_kizen);
  EXPECT_EQ(r->objects[0].pull_interval, std::chrono::seconds(2));
  EXPECT_EQ(r->daemon.batch_size, 50);
}

TEST(env_expansion, secrets_from_the_environment_and_dollar_escapes) {
  const std::string yaml = std::string(R"(kizen:
  base_url: ${KIZEN_BASE_URL}
  api_key: ${KIZEN_API_KEY}
  business_id: ${KIZEN_BUSINESS_ID:-biz}
  user_id: u
postgres:
  url: postgres://app:pa$$word@localhost/db
)") + std::string(object_lines);
  auto r = load(yaml, env_of({{"KIZEN_BASE_URL", "https://kizen.example.com"}, {"KIZEN_API_KEY", "s3cr3t"}}));
  ASSERT_TRUE(r) << describe(r.error());
  EXPECT_EQ(r->kizen.base_url, "https://kizen.example.com");
  EXPECT_EQ(r->kizen.api_key, "s3cr3t");
  EXPECT_EQ(r->kizen.business_id, "biz");
  EXPECT_EQ(r->postgres.url, "postgres://app:pa$word@localhost/db");
}

TEST(env_expansion, process_environment_reads_the_real_environment) {
  ASSERT_EQ(::setenv("KS_CONFIG_TEST_API_KEY", "from-process", 1), 0);
  ::unsetenv("KS_CONFIG_TEST_UNSET");
  const env_lookup env = process_environment();
  EXPECT_EQ(env("KS_CONFIG_TEST_API_KEY"), "from-process");
  EXPECT_EQ(env("KS_CONFIG_TEST_UNSET"), std::nullopt);
  const std::string yaml =
      "kizen:\n  base_url: https://kizen.example.com\n"
      "  api_key: ${KS_CONFIG_TEST_API_KEY}\n  business_id: b\n"
      "  user_id: u\n" +
      std::string(postgres_lines) + std::string(object_lines);
  auto r = load_config_text(yaml, "test.yaml");  // default: the process environment
  ASSERT_TRUE(r) << describe(r.error());
  EXPECT_EQ(r->kizen.api_key, "from-process");
  ::unsetenv("KS_CONFIG_TEST_API_KEY");
}

// Every value from the environment placed where it is wrong: the messages say what is wrong
// and where, and never contain the value.
TEST(env_expansion, values_never_appear_in_messages) {
  const std::string secret = "Sup3rS3cret";
  const std::string yaml = R"(kizen:
  base_url: ${URL}
  api_key: "${SECRET}\n"
  business_id: b
  user_id: u
  max_connections: ${SECRET}
  max_requests_per_second: ${SECRET}
  request_timeout: ${SECRET}
  tls_verify: ${SECRET}
  ca_file: ${PATH_SECRET}
postgres:
  url: ${SECRET}
  schema: ${LONG}
daemon:
  http_listen: ${SECRET}
  log_level: ${SECRET}
objects:
  - object: ${OBJECT}
    table: ${LONG}
    key: id
    entity_id_column: kizen_id
    lookup: name
    direction: ${SECRET}
    fields:
      - {column: name, field: name, multi: "${SECRET}"}
)";
  auto r = load(yaml, env_of({{"SECRET", secret},
                              {"URL", "http://" + secret + ".example.com"},
                              {"PATH_SECRET", "/nonexistent/" + secret},
                              {"LONG", secret + std::string(60, 'x')},
                              {"OBJECT", secret + "/x"}}));
  ASSERT_FALSE(r);
  EXPECT_GE(r.error().size(), 12u) << describe(r.error());
  for (const problem& p : r.error()) {
    EXPECT_EQ(p.to_string().find(secret), std::string::npos) << p.to_string();
  }
  // The messages still tell what is wrong.
  EXPECT_NE(describe(r.error()).find("kizen.max_connections must be a whole number, got the "
                                     "value from the environment"),
            std::string::npos)
      << describe(r.error());
}

TEST(env_expansion, literal_secrets_never_appear_in_messages) {
  const std::string yaml = R"(kizen:
  base_url: https://me:hunter2@kizen.example.com
  api_key: "hunter2\u0007"
  business_id: b
  user_id: u
postgres:
  url: ""
)" + std::string(object_lines);
  auto r = load(yaml);
  ASSERT_FALSE(r);
  ASSERT_EQ(r.error().size(), 3u) << describe(r.error());
  for (const problem& p : r.error()) {
    EXPECT_EQ(p.to_string().find("hunter2"), std::string::npos) << p.to_string();
  }
}

}  // namespace
}  // namespace ks::config::test
