#pragma once
// Shared set-up of the outbound sync integration tests (issue 4): a scratch PostgreSQL database
// with the test tables, a kizen-emulator over sockets, a YAML config written per test, and the
// real `kizen-sync` binary (migrate, run, status, replay). Every wait polls with a deadline and,
// on timeout, fails the test with the daemon's log.

#include "tests/support/sync_fixture.hpp"

#include <gtest/gtest.h>
#include <boost/json.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

namespace ks::test::outbound {

using namespace std::chrono_literals;

// Generous deadlines: they only guard against hangs (ASan build, a shared machine).
inline constexpr auto settle_timeout = std::chrono::seconds(240);

// The test tables. companies and contacts are related by a foreign key; deals are created through
// `add` + match_field (no lookup); `notes` columns are never mapped.
inline constexpr const char* tables_sql = R"sql(
CREATE TABLE companies (
  id        integer PRIMARY KEY,
  name      text NOT NULL,
  domain    text,
  employees integer,
  industry  text,
  kizen_id  uuid,
  notes     text
);
CREATE TABLE contacts (
  id         integer PRIMARY KEY,
  email      text NOT NULL,
  first_name text,
  last_name  text,
  company_id integer REFERENCES companies (id),
  tags       text[],
  stage      text,
  lead_score integer,
  birthday   date,
  kizen_id   uuid,
  notes      text
);
CREATE TABLE deals (
  id     integer PRIMARY KEY,
  name   text NOT NULL,
  amount numeric(12, 2),
  stage  text,
  notes  text
);
)sql";

// Object mappings (the `objects:` list items), to_kizen so no pull ever writes the tables.
inline constexpr const char* companies_yaml = R"yaml(
  - object: companies
    table: public.companies
    key: id
    entity_id_column: kizen_id
    lookup: name
    direction: to_kizen
    fields:
      - {column: name, field: name}
      - {column: domain, field: domain}
      - {column: employees, field: employees}
      - {column: industry, field: industry}
)yaml";

inline constexpr const char* contacts_yaml = R"yaml(
  - object: client_client
    table: public.contacts
    key: id
    entity_id_column: kizen_id
    lookup: email
    direction: to_kizen
    fields:
      - {column: email, field: email}
      - {column: first_name, field: first_name}
      - {column: last_name, field: last_name}
      - {column: company_id, field: company, references: companies}
      - {column: tags, field: tags, multi: true}
      - {column: stage, field: stage}
      - {column: lead_score, field: lead_score}
      - {column: birthday, field: birthday}
)yaml";

inline constexpr const char* deals_yaml = R"yaml(
  - object: deals
    table: public.deals
    key: id
    match_field: external_id
    direction: to_kizen
    fields:
      - {column: name, field: name}
      - {column: amount, field: amount}
      - {column: stage, field: stage}
)yaml";

// What Kizen should hold for each row, as the emulator's state dump renders it (blank fields
// absent): key, entity id column (or NULL), fields as jsonb.
inline constexpr const char* companies_expected_sql = R"sql(
SELECT id::text, kizen_id::text, jsonb_strip_nulls(jsonb_build_object(
  'name', nullif(name, ''), 'domain', nullif(domain, ''), 'employees', employees,
  'industry', industry, 'external_id', NULL))
FROM companies)sql";

inline constexpr const char* contacts_expected_sql = R"sql(
SELECT c.id::text, c.kizen_id::text, jsonb_strip_nulls(jsonb_build_object(
  'email', c.email, 'first_name', nullif(c.first_name, ''), 'last_name', nullif(c.last_name, ''),
  'company', (SELECT i.entity_id::text FROM kizen_sync.identity_map i
              WHERE i.object = 'companies' AND i.key = c.company_id::text),
  'tags', (SELECT jsonb_agg(DISTINCT t) FROM unnest(c.tags) AS t WHERE t IS NOT NULL),
  'stage', c.stage, 'lead_score', c.lead_score, 'birthday', to_char(c.birthday, 'YYYY-MM-DD')))
FROM contacts c)sql";

inline constexpr const char* deals_expected_sql = R"sql(
SELECT id::text, NULL::text, jsonb_strip_nulls(jsonb_build_object(
  'name', name, 'amount', to_char(amount, 'FM9999999999990.00'), 'stage', stage,
  'external_id', id::text))
FROM deals)sql";

using config_options = sync_config;  // its defaults are the outbound suite's

struct outbox_counts {
  std::int64_t pending = 0;
  std::int64_t dead = 0;
  std::int64_t done = 0;
};

class outbound_test : public sync_fixture {
 protected:
  outbound_test() : sync_fixture("ks-outbound") {}

  // --- PostgreSQL ---
  outbox_counts outbox();

  // --- config, migrate, daemon ---
  // Creates the test tables, writes the config and runs `kizen-sync migrate` on it.
  std::string prepare(const config_options& options);
  void migrate(const std::string& config_path);
  void forget_daemon() { daemon_.reset(); }  // kills it if still running
  // SIGTERM; expects exit status 0 (else fails with the log). Returns whether it was 0.
  bool expect_clean_stop();

  // --- waiting ---
  // Polls `done` (exceptions count as "not yet") until it is true or `timeout` passes; then fails
  // the test with `what` and the daemon log. Returns whether it became true.
  bool wait_until(const std::string& what, const std::function<bool()>& done,
                  std::chrono::milliseconds timeout = settle_timeout);
  // Every outbox change done (no pending, none dead), the daemon idle.
  bool wait_all_applied(std::chrono::milliseconds timeout = settle_timeout);

  // --- Kizen side ---
  // Restarts the emulator (e.g. with --state); keeps the same port if `same_port`.
  void restart_emulator(std::vector<std::string> extra_args, bool same_port);
  // Compares Kizen with the table: every row has exactly one live record (its identity), with
  // exactly the expected fields; no other live record of the object exists. `expected_sql` is
  // one of the *_expected_sql queries.
  void expect_in_sync(const std::string& object, const std::string& expected_sql);
};

}  // namespace ks::test::outbound
