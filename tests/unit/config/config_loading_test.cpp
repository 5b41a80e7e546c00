// What a valid file turns into: values, defaults, resolution of references, helpers; and the
// file-level behaviour (every problem at once, unreadable and empty files).

#include <gtest/gtest.h>

#include "config_test_support.hpp"

namespace ks::config::test {
namespace {

using namespace std::chrono_literals;

TEST(config_loading, minimal_file_gets_the_documented_defaults) {
  auto r = load(with_tail(""));
  ASSERT_TRUE(r) << describe(r.error());
  const config& c = *r;
  EXPECT_EQ(c.source_file, "test.yaml");
  EXPECT_EQ(c.kizen.base_url, "https://kizen.example.com");
  EXPECT_EQ(c.kizen.api_key, "k");
  EXPECT_EQ(c.kizen.business_id, "b");
  EXPECT_EQ(c.kizen.user_id, "u");
  EXPECT_EQ(c.kizen.request_timeout, 15s);
  EXPECT_EQ(c.kizen.max_connections, 8);
  EXPECT_EQ(c.kizen.max_requests_per_second, 20);
  EXPECT_EQ(c.kizen.retry.max_attempts, 10);
  EXPECT_EQ(c.kizen.retry.initial_backoff, 250ms);
  EXPECT_EQ(c.kizen.retry.max_backoff, 5min);
  EXPECT_TRUE(c.kizen.tls_verify);
  EXPECT_EQ(c.kizen.ca_file, "");
  EXPECT_EQ(c.postgres.url, "postgres://localhost/db");
  EXPECT_EQ(c.postgres.schema, "kizen_sync");
  EXPECT_EQ(c.daemon.http_listen, "127.0.0.1:9464");
  EXPECT_EQ(c.daemon.log_level, "info");
  EXPECT_EQ(c.daemon.retention, std::chrono::hours(24 * 7));
  EXPECT_EQ(c.daemon.outbox_poll_interval, 5s);
  EXPECT_EQ(c.daemon.shutdown_grace, 30s);
  EXPECT_EQ(c.daemon.summary_interval, 60s);
  EXPECT_EQ(c.daemon.batch_size, 200);
  EXPECT_EQ(c.daemon.key_lease, 60s);
  ASSERT_EQ(c.objects.size(), 1u);
  const object_mapping& o = c.objects[0];
  EXPECT_EQ(o.object, "companies");
  EXPECT_EQ(o.table_schema, "public");
  EXPECT_EQ(o.table, "companies");
  EXPECT_EQ(o.key, "id");
  EXPECT_EQ(o.entity_id_column, "kizen_id");
  EXPECT_EQ(o.lookup, "name");
  EXPECT_FALSE(o.match_field);
  EXPECT_FALSE(o.key_field);
  EXPECT_EQ(o.direction, sync_direction::both);
  EXPECT_EQ(o.conflict, conflict_policy::newest_wins);
  EXPECT_EQ(o.pull_interval, 5s);
  EXPECT_EQ(o.reconcile_interval, 1h);
  EXPECT_EQ(o.on_archive, archive_policy::delete_row);
  EXPECT_EQ(o.where.line, 9);
  EXPECT_EQ(o.where.column, 5);
  EXPECT_EQ(o.where.file, "test.yaml");
  ASSERT_EQ(o.fields.size(), 1u);
  EXPECT_EQ(o.fields[0].column, "name");
  EXPECT_EQ(o.fields[0].field, "name");
  EXPECT_FALSE(o.fields[0].references);
  EXPECT_FALSE(o.fields[0].multi);
  EXPECT_EQ(o.fields[0].direction, sync_direction::both);
  EXPECT_FALSE(o.fields[0].type);
  EXPECT_EQ(o.fields[0].where.line, 15);
  EXPECT_EQ(o.fields[0].where.column, 9);
}

TEST(config_loading, every_key_is_read) {
  const std::string yaml = R"(kizen:
  base_url: https://kizen.example.com/
  api_key: the-key
  business_id: biz
  user_id: usr
  request_timeout: 20s
  max_connections: 16
  max_requests_per_second: 2.5
  retry: {max_attempts: 3, initial_backoff: 100ms, max_backoff: 1m}
  tls_verify: true
postgres:
  url: postgres://localhost/db
  schema: sync_state
daemon:
  http_listen: "[::1]:9000"
  log_level: debug
  retention: 0s
  outbox_poll_interval: 1s
  shutdown_grace: 0s
  summary_interval: 1h
  batch_size: 500
  key_lease: 45s
objects:
  - object: client_client
    table: crm.customers
    key: id
    entity_id_column: kizen_id
    lookup: email
    match_field: external_id
    key_field: external_id
    direction: to_kizen
    conflict: database_wins
    pull_interval: 250ms
    reconcile_interval: 2d
    on_archive: ignore
    fields:
      - {column: email, field: email}
      - {column: company_id, field: company, references: crm.companies, multi: true, type: relationship}
      - {column: stage, field: stage, type: dropdown, direction: to_kizen}
  - object: companies
    table: crm.companies
    key: id
    entity_id_column: kizen_id
    lookup: name
    conflict: kizen_wins
    fields:
      - {column: name, field: name}
)";
  std::vector<problem> warnings;
  auto r = load(yaml, env_of({}), &warnings);
  ASSERT_TRUE(r) << describe(r.error());
  EXPECT_TRUE(warnings.empty()) << describe(warnings);
  const config& c = *r;
  EXPECT_EQ(c.kizen.base_url, "https://kizen.example.com");  // trailing slash dropped
  EXPECT_EQ(c.kizen.api_key, "the-key");
  EXPECT_EQ(c.kizen.request_timeout, 20s);
  EXPECT_EQ(c.kizen.max_connections, 16);
  EXPECT_DOUBLE_EQ(c.kizen.max_requests_per_second, 2.5);
  EXPECT_EQ(c.kizen.retry.max_attempts, 3);
  EXPECT_EQ(c.kizen.retry.initial_backoff, 100ms);
  EXPECT_EQ(c.kizen.retry.max_backoff, 1min);
  EXPECT_EQ(c.postgres.schema, "sync_state");
  EXPECT_EQ(c.daemon.http_listen, "[::1]:9000");
  EXPECT_EQ(c.daemon.log_level, "debug");
  EXPECT_EQ(c.daemon.retention, 0s);
  EXPECT_EQ(c.daemon.outbox_poll_interval, 1s);
  EXPECT_EQ(c.daemon.shutdown_grace, 0s);
  EXPECT_EQ(c.daemon.summary_interval, 1h);
  EXPECT_EQ(c.daemon.batch_size, 500);
  EXPECT_EQ(c.daemon.key_lease, 45s);
  ASSERT_EQ(c.objects.size(), 2u);
  const object_mapping& o = c.objects[0];
  EXPECT_EQ(o.table_schema, "crm");
  EXPECT_EQ(o.table, "customers");
  EXPECT_EQ(o.match_field, "external_id");
  EXPECT_EQ(o.key_field, "external_id");
  EXPECT_EQ(o.direction, sync_direction::to_kizen);
  EXPECT_EQ(o.conflict, conflict_policy::database_wins);
  EXPECT_EQ(o.pull_interval, 250ms);
  EXPECT_EQ(o.reconcile_interval, 48h);
  EXPECT_EQ(o.on_archive, archive_policy::ignore);
  ASSERT_EQ(o.fields.size(), 3u);
  // A field without `direction` follows its object.
  EXPECT_EQ(o.fields[0].direction, sync_direction::to_kizen);
  // `references` given as a qualified table is stored as that mapping's object; multi is fine.
  EXPECT_EQ(o.fields[1].references, "companies");
  EXPECT_TRUE(o.fields[1].multi);
  EXPECT_EQ(o.fields[1].type, "relationship");
  EXPECT_EQ(o.fields[2].type, "dropdown");
  EXPECT_EQ(c.objects[1].conflict, conflict_policy::kizen_wins);
}

TEST(config_loading, references_accept_object_or_unqualified_table) {
  const std::string yaml = with_objects(R"(objects:
  - object: companies
    table: sales.firms
    key: id
    entity_id_column: kizen_id
    lookup: name
    fields:
      - {column: name, field: name}
      - {column: parent_id, field: parent, references: companies}
      - {column: sister_id, field: sister, references: firms}
)");
  auto r = load(yaml);
  ASSERT_TRUE(r) << describe(r.error());
  EXPECT_EQ(r->objects[0].fields[1].references, "companies");
  EXPECT_EQ(r->objects[0].fields[2].references, "companies");
}

TEST(config_loading, plain_http_is_allowed_for_loopback_hosts) {
  for (const char* url : {"http://localhost:8089", "http://LOCALHOST", "http://127.0.0.1:8089", "http://127.200.3.4",
                          "http://[::1]:8089", "https://[2001:db8::1]"}) {
    const std::string yaml = "kizen:\n  base_url: " + std::string(url) +
                             "\n  api_key: k\n  business_id: b\n  user_id: u\n" + std::string(postgres_lines) +
                             std::string(object_lines);
    auto r = load(yaml);
    ASSERT_TRUE(r) << url << describe(r.error());
    EXPECT_EQ(r->kizen.base_url, url);
  }
}

TEST(config_loading, reports_every_problem_sorted_by_place) {
  const std::string yaml = R"(kizen:
  base_url: http://kizen.example.com
  api_key: k
  business_id: b
  user_id: u
  max_conections: 8
postgres:
  url: postgres://localhost/db
objects:
  - object: companies
    table: companies
    key: id
    entity_id_column: kizen_id
    lookup: email
    direction: sideways
    fields:
      - {column: name, field: name, references: nowhere}
)";
  auto r = load(yaml);
  ASSERT_FALSE(r);
  const auto& p = r.error();
  ASSERT_EQ(p.size(), 5u) << describe(p);
  EXPECT_EQ(p[0].where.line, 2);   // http for a remote host
  EXPECT_EQ(p[1].where.line, 6);   // unknown key
  EXPECT_EQ(p[2].where.line, 14);  // lookup not mapped
  EXPECT_EQ(p[3].where.line, 15);  // bad direction
  EXPECT_EQ(p[4].where.line, 17);  // unknown reference
  EXPECT_NE(p[4].message.find("'nowhere' is not a configured object"), std::string::npos);
}

TEST(config_loading, an_unreadable_object_is_one_error_not_a_cascade) {
  auto r = load(with_objects("objects:\n  - just a name\n"));
  ASSERT_FALSE(r);
  ASSERT_EQ(r.error().size(), 1u) << describe(r.error());
  EXPECT_EQ(r.error()[0].to_string(),
            "test.yaml:9:5: error: objects[0] must be a mapping (key: value lines), got a single "
            "value");
}

TEST(config_loading, a_field_with_a_missing_column_does_not_fail_the_lookup_check) {
  auto r =
      load(with_objects("objects:\n"
                        "  - object: companies\n"
                        "    table: companies\n"
                        "    key: id\n"
                        "    entity_id_column: kizen_id\n"
                        "    lookup: name\n"
                        "    fields: [{field: name}]\n"));
  ASSERT_FALSE(r);
  ASSERT_EQ(r.error().size(), 1u) << describe(r.error());
  EXPECT_NE(r.error()[0].message.find("missing required key 'column'"), std::string::npos);
}

TEST(config_loading, problem_to_string) {
  EXPECT_EQ((problem{{"a.yaml", 3, 7}, "bad", severity::error}).to_string(), "a.yaml:3:7: error: bad");
  EXPECT_EQ((problem{{"a.yaml", 3, 7}, "risky", severity::warning}).to_string(), "a.yaml:3:7: warning: risky");
  EXPECT_EQ((problem{{"a.yaml", 0, 0}, "empty", severity::error}).to_string(), "a.yaml: error: empty");
}

TEST(config_loading, empty_file_is_a_clear_error) {
  for (const char* text : {"", "\n\n", "# only a comment\n", "~\n"}) {
    auto r = load(text);
    ASSERT_FALSE(r) << text;
    ASSERT_EQ(r.error().size(), 1u);
    EXPECT_EQ(r.error()[0].where.line, 0);
    EXPECT_EQ(r.error()[0].to_string(),
              "test.yaml: error: the config file is empty; see config/examples/full.yaml for "
              "every key");
  }
}

TEST(config_loading, yaml_syntax_error_has_yaml_cpp_position) {
  // yaml-cpp itself says "error at line 3, column 2: end of map not found".
  auto r = load("kizen:\n  base_url: x\n api_key: k\n");
  ASSERT_FALSE(r);
  ASSERT_EQ(r.error().size(), 1u);
  EXPECT_EQ(r.error()[0].to_string(), "test.yaml:3:2: error: YAML syntax error: end of map not found");
  auto escape = load("kizen: \"\\q\"\n");
  ASSERT_FALSE(escape);
  EXPECT_EQ(escape.error()[0].to_string(), "test.yaml:1:11: error: YAML syntax error: unknown escape character: q");
}

TEST(config_loading, unreadable_file_names_the_path) {
  auto r = load_config_file("/nonexistent/kizen-sync.yaml", env_of({}));
  ASSERT_FALSE(r);
  ASSERT_EQ(r.error().size(), 1u);
  EXPECT_EQ(r.error()[0].to_string(),
            "/nonexistent/kizen-sync.yaml: error: cannot read the config file: No such file or "
            "directory");
  temp_dir dir;
  auto d = load_config_file(dir.path(), env_of({}));
  ASSERT_FALSE(d);
  EXPECT_NE(d.error()[0].message.find("it is a directory"), std::string::npos);
}

TEST(config_loading, file_is_read_from_disk_with_its_name_in_places) {
  temp_dir dir;
  const std::string path = dir.write("sync.yaml", with_kizen("  max_connections: 0\n"));
  auto r = load_config_file(path, env_of({}));
  ASSERT_FALSE(r);
  ASSERT_EQ(r.error().size(), 1u);
  EXPECT_EQ(r.error()[0].to_string(), path + ":6:20: error: kizen.max_connections must be between 1 and 256 (got 0)");
  const std::string good = dir.write("good.yaml", with_tail(""));
  auto ok = load_config_file(good, env_of({}));
  ASSERT_TRUE(ok) << describe(ok.error());
  EXPECT_EQ(ok->source_file, good);
  EXPECT_EQ(ok->objects[0].where.file, good);
}

TEST(config_loading, lookup_helpers) {
  auto r = load(with_objects(R"(objects:
  - object: companies
    table: companies
    key: id
    entity_id_column: kizen_id
    lookup: name
    fields:
      - {column: name, field: name}
      - {column: web, field: domain}
  - object: client_client
    table: contacts
    key: id
    entity_id_column: kizen_id
    lookup: email
    fields: [{column: email, field: email}]
)"));
  ASSERT_TRUE(r) << describe(r.error());
  const config& c = *r;
  ASSERT_NE(c.find_object("client_client"), nullptr);
  EXPECT_EQ(c.find_object("client_client")->table, "contacts");
  EXPECT_EQ(c.find_object("contacts"), nullptr);
  const object_mapping& companies = *c.find_object("companies");
  ASSERT_NE(companies.field_for_column("web"), nullptr);
  EXPECT_EQ(companies.field_for_column("web")->field, "domain");
  EXPECT_EQ(companies.field_for_column("domain"), nullptr);
  ASSERT_NE(companies.field_for_kizen_field("domain"), nullptr);
  EXPECT_EQ(companies.field_for_kizen_field("domain")->column, "web");
  EXPECT_EQ(companies.field_for_kizen_field("web"), nullptr);
}

TEST(config_loading, enum_names) {
  EXPECT_STREQ(to_string(sync_direction::both), "both");
  EXPECT_STREQ(to_string(sync_direction::to_kizen), "to_kizen");
  EXPECT_STREQ(to_string(sync_direction::from_kizen), "from_kizen");
  EXPECT_STREQ(to_string(conflict_policy::newest_wins), "newest_wins");
  EXPECT_STREQ(to_string(conflict_policy::database_wins), "database_wins");
  EXPECT_STREQ(to_string(conflict_policy::kizen_wins), "kizen_wins");
  EXPECT_STREQ(to_string(archive_policy::delete_row), "delete");
  EXPECT_STREQ(to_string(archive_policy::ignore), "ignore");
}

}  // namespace
}  // namespace ks::config::test

// yaml-cpp 0.7's LoadAll never returns on these (found by tests/fuzz): the loader must answer.
TEST(config_loading, a_document_starting_with_a_stray_comma_is_a_syntax_error) {
  for (const char* text : {",\n", ", 15s\nkizen: {}\n", "# comment\n,\n"}) {
    auto r = ks::config::load_config_text(text, "odd.yaml");
    ASSERT_FALSE(r) << text;
    ASSERT_EQ(r.error().size(), 1u);
    EXPECT_NE(r.error()[0].to_string().find("odd.yaml:"), std::string::npos);
    EXPECT_NE(r.error()[0].message.find("YAML syntax error"), std::string::npos) << r.error()[0].message;
  }
}
