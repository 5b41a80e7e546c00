// Every configuration error the loader reports: one case each, with the exact line:col of the
// offending node and a recognisable message. Each case is a valid file with one mistake, so the
// case fails if that mistake were not reported (or reported elsewhere, or with cascades).

#include <gtest/gtest.h>

#include "config_test_support.hpp"

namespace ks::config::test {
namespace {

struct error_case {
  const char* name;
  std::string yaml;
  int line;
  int column;
  const char* message;
  std::map<std::string, std::string> env = {};
};

void PrintTo(const error_case& c, std::ostream* os) { *os << c.name; }

// A valid file whose objects section is "objects:\n" + body (body starts at line 9).
std::string objects_body(std::string_view body) { return with_objects("objects:\n" + std::string(body)); }

// A valid file whose kizen.base_url is `url` (the value starts at 2:13).
std::string with_base_url(std::string_view url) {
  return "kizen:\n  base_url: " + std::string(url) + "\n  api_key: k\n  business_id: b\n  user_id: u\n" +
         std::string(postgres_lines) + std::string(object_lines);
}

// A valid kizen section with lines replaced: `lines` is the whole body after "kizen:".
std::string kizen_body(std::string_view lines) {
  return "kizen:\n" + std::string(lines) + std::string(postgres_lines) + std::string(object_lines);
}

// The fields of one object "companies" (key id, entity_id_column kizen_id, lookup name);
// `fields` starts at line 15.
std::string fields_body(std::string_view fields) {
  return objects_body(
      "  - object: companies\n"           // 9
      "    table: companies\n"            // 10
      "    key: id\n"                     // 11
      "    entity_id_column: kizen_id\n"  // 12
      "    lookup: name\n"                // 13
      "    fields:\n" +                   // 14
      std::string(fields));
}

const std::string long_name(64, 'x');

std::vector<error_case> cases() {
  return {
      // --- unknown keys, with the closest known key suggested
      {"unknown_key_in_kizen", with_kizen("  max_conections: 8\n"), 6, 3,
       "unknown key 'max_conections' in kizen (did you mean 'max_connections'?)"},
      {"unknown_top_level_key", with_tail("daemons:\n  log_level: info\n"), 16, 1,
       "unknown key 'daemons' in the top level (did you mean 'daemon'?)"},
      {"unknown_object_key", with_objects(std::string(object_lines) + "    pull_intervall: 5s\n"), 16, 5,
       "unknown key 'pull_intervall' in objects[0] (did you mean 'pull_interval'?)"},
      {"unknown_field_key", fields_body("      - {column: name, field: name, mutli: true}\n"), 15, 37,
       "unknown key 'mutli' in objects[0].fields[0] (did you mean 'multi'?)"},
      {"unknown_key_without_suggestion", with_kizen("  colour: blue\n"), 6, 3, "unknown key 'colour' in kizen"},
      {"duplicate_key", with_kizen("  api_key: again\n"), 6, 3, "duplicate key 'api_key' in kizen (first at line 3)"},

      // --- wrong types
      {"top_level_not_a_mapping", "- kizen\n- postgres\n", 1, 1, "the top level must be a mapping"},
      {"section_not_a_mapping", "kizen: 5\n" + std::string(postgres_lines) + std::string(object_lines), 1, 8,
       "kizen must be a mapping (key: value lines), got a single value"},
      {"section_without_value", std::string(kizen_lines) + "postgres:\n" + std::string(object_lines), 6, 1,
       "postgres has no value"},
      {"objects_not_a_list", with_objects("objects:\n  object: companies\n"), 9, 3, "objects must be a list"},
      {"fields_not_a_list",
       objects_body("  - object: companies\n    table: companies\n    key: id\n"
                    "    entity_id_column: kizen_id\n    fields: name\n"),
       13, 13, "objects[0].fields must be a list"},
      {"object_not_a_mapping", objects_body("  - companies\n"), 9, 5, "objects[0] must be a mapping"},
      {"number_given_a_list", with_kizen("  max_connections: [1, 2]\n"), 6, 20,
       "kizen.max_connections must be a single value, got a list"},
      {"number_not_a_number", with_kizen("  max_connections: eight\n"), 6, 20,
       "kizen.max_connections must be a whole number, got 'eight'"},
      {"rate_not_a_number", with_kizen("  max_requests_per_second: fast\n"), 6, 28,
       "kizen.max_requests_per_second must be a number, got 'fast'"},
      {"bool_not_true_or_false", with_kizen("  tls_verify: yes\n"), 6, 15,
       "kizen.tls_verify must be true or false, got 'yes'"},
      {"multi_not_a_bool", fields_body("      - {column: name, field: name, multi: 1}\n"), 15, 44,
       "objects[0].fields[0].multi must be true or false, got '1'"},
      {"non_scalar_key", with_kizen("  [a, b]: 1\n"), 6, 3, "keys in kizen must be plain names"},

      // --- missing required keys
      {"missing_kizen", std::string(postgres_lines) + std::string(object_lines), 1, 1,
       "missing required key 'kizen' in the top level"},
      {"missing_base_url", kizen_body("  api_key: k\n  business_id: b\n  user_id: u\n"), 2, 3,
       "missing required key 'base_url' in kizen"},
      {"missing_api_key", kizen_body("  base_url: https://kizen.example.com\n  business_id: b\n  user_id: u\n"), 2, 3,
       "missing required key 'api_key' (or 'api_key_file') in kizen"},
      {"api_key_without_value",
       kizen_body("  base_url: https://kizen.example.com\n  api_key:\n  business_id: b\n"
                  "  user_id: u\n"),
       3, 3, "kizen.api_key has no value"},
      {"api_key_and_api_key_file", with_kizen("  api_key_file: key.txt\n"), 6, 3,
       "kizen.api_key and kizen.api_key_file are both set; use exactly one"},
      {"missing_business_id", kizen_body("  base_url: https://kizen.example.com\n  api_key: k\n  user_id: u\n"), 2, 3,
       "missing required key 'business_id' in kizen"},
      {"missing_user_id", kizen_body("  base_url: https://kizen.example.com\n  api_key: k\n  business_id: b\n"), 2, 3,
       "missing required key 'user_id' in kizen"},
      {"missing_postgres", std::string(kizen_lines) + std::string(object_lines), 1, 1,
       "missing required key 'postgres' in the top level"},
      {"missing_postgres_url", std::string(kizen_lines) + "postgres:\n  schema: ks\n" + std::string(object_lines), 7, 3,
       "missing required key 'url' in postgres"},
      {"missing_objects", std::string(kizen_lines) + std::string(postgres_lines), 1, 1,
       "missing required key 'objects' in the top level"},
      {"empty_objects", with_objects("objects: []\n"), 8, 10, "objects is empty"},
      {"objects_without_value", with_objects("objects:\n"), 8, 1, "objects is empty"},
      {"missing_object",
       objects_body("  - table: companies\n    key: id\n    entity_id_column: kizen_id\n"
                    "    lookup: name\n    fields:\n      - {column: name, field: name}\n"),
       9, 5, "missing required key 'object' in objects[0]"},
      {"missing_table",
       objects_body("  - object: companies\n    key: id\n    entity_id_column: kizen_id\n"
                    "    lookup: name\n    fields:\n      - {column: name, field: name}\n"),
       9, 5, "missing required key 'table' in objects[0]"},
      {"missing_key",
       objects_body("  - object: companies\n    table: companies\n    entity_id_column: kizen_id\n"
                    "    lookup: name\n    fields:\n      - {column: name, field: name}\n"),
       9, 5, "missing required key 'key' in objects[0]"},
      {"missing_fields",
       objects_body("  - object: companies\n    table: companies\n    key: id\n"
                    "    entity_id_column: kizen_id\n"),
       9, 5, "missing required key 'fields' in objects[0]"},
      {"empty_fields",
       objects_body("  - object: companies\n    table: companies\n    key: id\n"
                    "    entity_id_column: kizen_id\n    fields: []\n"),
       13, 13, "objects[0].fields is empty"},
      {"missing_column", fields_body("      - {field: name}\n"), 15, 9,
       "missing required key 'column' in objects[0].fields[0]"},
      {"missing_field", fields_body("      - {column: name}\n"), 15, 9,
       "missing required key 'field' in objects[0].fields[0]"},

      // --- durations
      {"duration_without_unit", with_kizen("  request_timeout: 15\n"), 6, 20,
       "kizen.request_timeout: duration '15' is missing its unit (ms, s, m, h or d)"},
      {"duration_unknown_unit", with_kizen("  request_timeout: 15sec\n"), 6, 20,
       "kizen.request_timeout: duration '15sec' has an unknown unit; use ms, s, m, h or d"},
      {"duration_zero", with_kizen("  request_timeout: 0s\n"), 6, 20,
       "kizen.request_timeout must be greater than 0 (got '0s')"},
      {"duration_negative", with_kizen("  request_timeout: -5s\n"), 6, 20, "duration '-5s' must not be negative"},
      {"duration_fraction", with_kizen("  request_timeout: 1.5s\n"), 6, 20,
       "duration '1.5s' must be a whole number of one unit"},
      {"duration_too_large", with_tail("daemon:\n  retention: 4000d\n"), 17, 14,
       "daemon.retention: duration '4000d' is too large"},
      {"duration_in_daemon", with_tail("daemon:\n  summary_interval: 1 minute\n"), 17, 21,
       "daemon.summary_interval: duration '1 minute' has an unknown unit"},
      {"duration_zero_pull_interval", with_objects(std::string(object_lines) + "    pull_interval: 0ms\n"), 16, 20,
       "objects[0].pull_interval must be greater than 0"},
      {"idle_interval_below_pull_interval",
       with_objects(std::string(object_lines) + "    pull_interval: 5s\n    pull_idle_interval: 1s\n"), 17, 25,
       "objects[0].pull_idle_interval (1000ms) is shorter than its pull_interval (5000ms)"},
      {"max_backoff_below_initial", with_kizen("  retry: {initial_backoff: 5s, max_backoff: 1s}\n"), 6, 45,
       "kizen.retry.max_backoff (1000ms) is shorter than kizen.retry.initial_backoff (5000ms)"},

      // --- enums
      {"bad_direction", with_objects(std::string(object_lines) + "    direction: sideways\n"), 16, 16,
       "objects[0].direction must be both, to_kizen or from_kizen, got 'sideways'"},
      {"bad_conflict", with_objects(std::string(object_lines) + "    conflict: db_wins\n"), 16, 15,
       "objects[0].conflict must be newest_wins, database_wins or kizen_wins, got 'db_wins'"},
      {"bad_on_archive", with_objects(std::string(object_lines) + "    on_archive: archive\n"), 16, 17,
       "objects[0].on_archive must be delete or ignore, got 'archive'"},
      {"bad_log_level", with_tail("daemon:\n  log_level: warning\n"), 17, 14,
       "daemon.log_level must be trace, debug, info, warn or error, got 'warning' (did you mean "
       "'warn'?)"},
      {"bad_field_direction", fields_body("      - {column: name, field: name, direction: up}\n"), 15, 48,
       "objects[0].fields[0].direction must be both, to_kizen or from_kizen, got 'up'"},
      {"bad_field_type", fields_body("      - {column: name, field: name, type: textbox}\n"), 15, 43,
       "objects[0].fields[0].type must be checkbox, checkboxes, choices"},
      {"references_with_non_relationship_type",
       fields_body("      - {column: name, field: name}\n"
                   "      - {column: parent_id, field: parent, references: companies, type: text}\n"),
       16, 73, "objects[0].fields[1] has references, so its type must be relationship"},

      // --- ranges
      {"max_connections_zero", with_kizen("  max_connections: 0\n"), 6, 20,
       "kizen.max_connections must be between 1 and 256 (got 0)"},
      {"max_connections_too_many", with_kizen("  max_connections: 257\n"), 6, 20,
       "kizen.max_connections must be between 1 and 256 (got 257)"},
      {"max_connections_overflow", with_kizen("  max_connections: 99999999999999999999\n"), 6, 20,
       "kizen.max_connections must be between 1 and 256"},
      {"max_requests_per_second_zero", with_kizen("  max_requests_per_second: 0\n"), 6, 28,
       "kizen.max_requests_per_second must be greater than 0"},
      {"max_requests_per_second_negative", with_kizen("  max_requests_per_second: -2.5\n"), 6, 28,
       "kizen.max_requests_per_second must be greater than 0"},
      {"max_attempts_too_many", with_kizen("  retry: {max_attempts: 1001}\n"), 6, 25,
       "kizen.retry.max_attempts must be between 1 and 1000 (got 1001)"},
      {"max_attempts_zero", with_kizen("  retry: {max_attempts: 0}\n"), 6, 25,
       "kizen.retry.max_attempts must be between 1 and 1000 (got 0)"},
      {"batch_size_zero", with_tail("daemon:\n  batch_size: 0\n"), 17, 15,
       "daemon.batch_size must be between 1 and 10000 (got 0)"},
      {"batch_size_too_large", with_tail("daemon:\n  batch_size: 10001\n"), 17, 15,
       "daemon.batch_size must be between 1 and 10000 (got 10001)"},
      {"key_lease_shorter_than_two_requests", with_tail("daemon:\n  key_lease: 20s\n"), 17, 14,
       "daemon.key_lease (20000ms) must be at least twice kizen.request_timeout (15000ms)"},

      // --- URLs
      {"http_for_remote_host", with_base_url("http://kizen.example.com"), 2, 13,
       "kizen.base_url may use plain http:// only for loopback hosts (localhost, 127.0.0.0/8, "
       "::1); use https://"},
      {"http_for_localhost_lookalike", with_base_url("http://localhost.example.com"), 2, 13,
       "may use plain http:// only for loopback hosts"},
      {"http_for_private_address", with_base_url("http://10.0.0.5:8089"), 2, 13,
       "may use plain http:// only for loopback hosts"},
      {"url_other_scheme", with_base_url("ftp://kizen.example.com"), 2, 13, "kizen.base_url must start with https://"},
      {"url_without_scheme", with_base_url("kizen.example.com"), 2, 13, "kizen.base_url is not a valid URL"},
      {"url_without_host", with_base_url("https://"), 2, 13, "kizen.base_url has no host"},
      {"url_with_query", with_base_url("https://kizen.example.com/?a=1"), 2, 13,
       "kizen.base_url must not have a query"},
      {"url_with_bad_port", with_base_url("https://kizen.example.com:99999"), 2, 13,
       "kizen.base_url has an invalid port"},
      {"url_with_credentials", with_base_url("https://me:hunter2@kizen.example.com"), 2, 13,
       "kizen.base_url must not contain a user name or password"},

      // --- duplicates and references between objects
      {"duplicate_object",
       objects_body("  - object: companies\n    table: companies\n    key: id\n"
                    "    lookup: name\n    fields: [{column: name, field: name}]\n"
                    "  - object: companies\n    table: firms\n    key: id\n"
                    "    lookup: name\n    fields: [{column: name, field: name}]\n"),
       14, 13, "duplicate object 'companies': already mapped by objects[0] (line 9)"},
      {"duplicate_table",
       objects_body("  - object: companies\n    table: companies\n    key: id\n"
                    "    lookup: name\n    fields: [{column: name, field: name}]\n"
                    "  - object: firms\n    table: public.companies\n    key: id\n"
                    "    lookup: name\n    fields: [{column: name, field: name}]\n"),
       15, 12, "table public.companies is mapped twice: already by objects[0] (line 9)"},
      {"duplicate_column", fields_body("      - {column: name, field: name}\n      - {column: name, field: title}\n"),
       16, 18, "column 'name' is mapped twice in objects[0] (companies): already by fields[0]"},
      {"duplicate_kizen_field",
       fields_body("      - {column: name, field: name}\n      - {column: title, field: name}\n"), 16, 32,
       "Kizen field 'name' is mapped twice in objects[0] (companies): already by fields[0]"},
      {"references_unknown_object",
       fields_body("      - {column: name, field: name}\n"
                   "      - {column: parent_id, field: parent, references: companys}\n"),
       16, 56,
       "objects[0].fields[1].references 'companys' is not a configured object (configured: "
       "companies); did you mean 'companies'?"},
      {"references_ambiguous_table",
       objects_body("  - object: companies\n    table: sales.accounts\n    key: id\n"
                    "    lookup: name\n    fields: [{column: name, field: name}]\n"
                    "  - object: vendors\n    table: purchasing.accounts\n    key: id\n"
                    "    lookup: name\n    fields:\n      - {column: name, field: name}\n"
                    "      - {column: parent_id, field: parent, references: accounts}\n"),
       20, 56, "objects[1].fields[1].references 'accounts' matches the tables of several objects"},
      {"lookup_not_mapped",
       objects_body("  - object: companies\n    table: companies\n    key: id\n"
                    "    entity_id_column: kizen_id\n    lookup: email\n"
                    "    fields:\n      - {column: name, field: name}\n"),
       13, 13, "objects[0].lookup 'email' is not among the mapped columns of objects[0] (companies)"},
      {"entity_id_column_also_mapped",
       fields_body("      - {column: name, field: name}\n      - {column: kizen_id, field: kid}\n"), 12, 23,
       "objects[0].entity_id_column 'kizen_id' is also a mapped column (fields[1])"},
      {"key_is_entity_id_column",
       objects_body("  - object: companies\n    table: companies\n    key: id\n"
                    "    entity_id_column: id\n    lookup: name\n"
                    "    fields:\n      - {column: name, field: name}\n"),
       12, 23, "objects[0].entity_id_column 'id' is the key column too"},
      {"match_field_used_by_another_column",
       objects_body("  - object: companies\n    table: companies\n    key: id\n"
                    "    entity_id_column: kizen_id\n    match_field: external_id\n"
                    "    fields:\n      - {column: name, field: name}\n"
                    "      - {column: code, field: external_id}\n"),
       13, 18,
       "objects[0].match_field 'external_id' is also the field of column 'code' (fields[1]), but "
       "it must hold the key column 'id'"},
      {"key_field_used_by_another_column",
       objects_body("  - object: companies\n    table: companies\n    key: id\n"
                    "    lookup: name\n    key_field: external_id\n"
                    "    fields:\n      - {column: name, field: name}\n"
                    "      - {column: code, field: external_id}\n"),
       13, 16, "objects[0].key_field 'external_id' is also the field of column 'code'"},
      {"field_direction_wider_than_object",
       objects_body("  - object: companies\n    table: companies\n    key: id\n"
                    "    lookup: name\n    direction: to_kizen\n"
                    "    fields:\n      - {column: name, field: name}\n"
                    "      - {column: score, field: score, direction: from_kizen}\n"),
       16, 50, "objects[0].fields[1].direction from_kizen is wider than its object's direction to_kizen"},
      {"field_both_in_one_way_object",
       objects_body("  - object: companies\n    table: companies\n    key: id\n"
                    "    entity_id_column: kizen_id\n    direction: from_kizen\n"
                    "    fields:\n      - {column: name, field: name, direction: both}\n"),
       15, 48, "objects[0].fields[0].direction both is wider than its object's direction from_kizen"},
      {"from_kizen_without_identity",
       objects_body("  - object: companies\n    table: companies\n    key: id\n"
                    "    direction: from_kizen\n    fields:\n      - {column: name, field: name}\n"),
       12, 16, "objects[0] (companies) syncs from_kizen but has neither entity_id_column nor key_field"},

      // --- SQL identifiers and names
      {"table_with_empty_schema",
       objects_body("  - object: companies\n    table: .companies\n    key: id\n"
                    "    entity_id_column: kizen_id\n    lookup: name\n"
                    "    fields:\n      - {column: name, field: name}\n"),
       10, 12, "objects[0].table '.companies': the schema name is empty"},
      {"table_name_too_long",
       objects_body("  - object: companies\n    table: " + long_name +
                    "\n    key: id\n    entity_id_column: kizen_id\n    lookup: name\n"
                    "    fields:\n      - {column: name, field: name}\n"),
       10, 12, "the table name is 64 bytes long; PostgreSQL allows at most 63"},
      {"table_with_two_dots",
       objects_body("  - object: companies\n    table: a.b.c\n    key: id\n"
                    "    entity_id_column: kizen_id\n    lookup: name\n"
                    "    fields:\n      - {column: name, field: name}\n"),
       10, 12, "objects[0].table 'a.b.c' must be NAME or SCHEMA.NAME (at most one '.')"},
      {"column_with_nul",
       fields_body("      - {column: name, field: name}\n"
                   "      - {column: \"na\\0me\", field: title}\n"),
       16, 18, "objects[0].fields[1].column 'na?me' contains a NUL character"},
      {"column_name_too_long",
       fields_body("      - {column: name, field: name}\n      - {column: " + long_name + ", field: title}\n"), 16, 18,
       "is 64 bytes long; PostgreSQL allows at most 63"},
      {"key_empty",
       objects_body("  - object: companies\n    table: companies\n    key: \"\"\n"
                    "    entity_id_column: kizen_id\n    lookup: name\n"
                    "    fields:\n      - {column: name, field: name}\n"),
       11, 10, "objects[0].key is empty"},
      {"postgres_schema_empty",
       std::string(kizen_lines) + "postgres:\n  url: postgres://localhost/db\n  schema: \"\"\n" +
           std::string(object_lines),
       8, 11, "postgres.schema is empty (it must be a valid PostgreSQL identifier)"},
      {"table_in_daemon_schema",
       objects_body("  - object: companies\n    table: kizen_sync.companies\n    key: id\n"
                    "    entity_id_column: kizen_id\n    lookup: name\n"
                    "    fields:\n      - {column: name, field: name}\n"),
       10, 12, "table kizen_sync.companies is in schema 'kizen_sync', which postgres.schema reserves"},
      {"object_identifier_with_slash",
       objects_body("  - object: client/client\n    table: companies\n    key: id\n"
                    "    entity_id_column: kizen_id\n    lookup: name\n"
                    "    fields:\n      - {column: name, field: name}\n"),
       9, 13, "objects[0].object 'client/client' may contain only letters, digits, '_' and '-'"},
      {"http_listen_without_host", with_tail("daemon:\n  http_listen: 9464\n"), 17, 16,
       "daemon.http_listen must be HOST:PORT"},
      {"http_listen_bad_port", with_tail("daemon:\n  http_listen: 127.0.0.1:70000\n"), 17, 16,
       "daemon.http_listen must be HOST:PORT with PORT 0..65535"},

      // --- environment
      {"env_variable_unset",
       kizen_body("  base_url: https://kizen.example.com\n  api_key: ${KIZEN_API_KEY}\n"
                  "  business_id: b\n  user_id: u\n"),
       3, 12,
       "kizen.api_key: environment variable KIZEN_API_KEY is not set (write "
       "${KIZEN_API_KEY:-default} to give a default)"},
      {"env_lone_dollar", with_kizen("  ca_file: $CA_FILE\n"), 6, 12,
       "kizen.ca_file: '$' must start a variable reference ${NAME} or be doubled ('$$')"},
      {"env_unterminated", with_kizen("  ca_file: ${CA_FILE\n"), 6, 12, "kizen.ca_file: '${' without a closing '}'"},
      {"env_bad_name", with_kizen("  ca_file: ${1CA}\n"), 6, 12, "kizen.ca_file: invalid variable reference '${1CA}'"},
      {"env_empty_required",
       kizen_body("  base_url: https://kizen.example.com\n  api_key: ${KIZEN_API_KEY:-}\n"
                  "  business_id: b\n  user_id: u\n"),
       3, 12, "kizen.api_key is empty after expanding environment variables"},

      // --- secrets and files
      {"api_key_with_line_break",
       kizen_body("  base_url: https://kizen.example.com\n  api_key: \"abc\\r\\nX-Evil: 1\"\n"
                  "  business_id: b\n  user_id: u\n"),
       3, 12, "kizen.api_key contains a control character"},
      {"business_id_with_line_break",
       kizen_body("  base_url: https://kizen.example.com\n  api_key: k\n"
                  "  business_id: \"b\\n\"\n  user_id: u\n"),
       4, 16, "kizen.business_id contains a control character"},
      {"user_id_empty",
       kizen_body("  base_url: https://kizen.example.com\n  api_key: k\n"
                  "  business_id: b\n  user_id: \"\"\n"),
       5, 12, "kizen.user_id is empty"},
      {"ca_file_missing", with_kizen("  ca_file: /nonexistent/ks-ca.pem\n"), 6, 12,
       "kizen.ca_file: cannot read '/nonexistent/ks-ca.pem': No such file or directory"},
      {"api_key_file_missing",
       kizen_body("  base_url: https://kizen.example.com\n  api_key_file: /nonexistent/ks-key\n"
                  "  business_id: b\n  user_id: u\n"),
       3, 17, "kizen.api_key_file: cannot use '/nonexistent/ks-key': No such file or directory"},

      // --- the file as a whole
      {"two_documents", with_tail("---\nkizen: {}\n"), 16, 1, "more than one YAML document"},
      {"yaml_syntax_error", "kizen:\n  base_url: [unclosed\npostgres: {}\n", 3, 9, "YAML syntax error"},
  };
}

class config_error : public ::testing::TestWithParam<error_case> {};

TEST_P(config_error, is_reported_at_its_place) {
  const error_case& c = GetParam();
  EXPECT_TRUE(one_error_at(load(c.yaml, env_of(c.env)), c.line, c.column, c.message)) << "yaml:\n" << c.yaml;
}

INSTANTIATE_TEST_SUITE_P(all, config_error, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<error_case>& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace ks::config::test
