// Permanent failures: a 400 makes a dead letter with the server's message, the key's later changes
// wait behind it while other keys flow, and `kizen-sync replay` after fixing the row applies it
// and what queued behind it, in order (issue 4, fourth "Done when" item). Also the `status` and
// `replay` command output (table and --json).
#include "tests/integration/outbound/outbound_fixture.hpp"

#include <thread>

namespace ks::test::outbound {
namespace {

namespace json = boost::json;

const std::string too_long(300, 'x');

json::object status_json(const std::string& cfg) {
  const auto r = run_kizen_sync({"status", "-c", cfg, "--json"}, std::chrono::seconds(60));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto v = json::parse(r.out);
  return v.as_object();
}

const json::object& object_status(const json::object& status, const std::string& object) {
  for (const auto& o : status.at("objects").as_array())
    if (o.as_object().at("object").as_string() == object) return o.as_object();
  throw std::runtime_error("status has no object " + object + ": " + json::serialize(status));
}

std::int64_t number(const json::object& o, const char* key) { return o.at(key).to_number<std::int64_t>(); }

class dead_letter_test : public outbound_test {
 protected:
  std::string start() {
    config_options options;
    options.objects_yaml = std::string(companies_yaml) + contacts_yaml;
    const auto cfg = prepare(options);
    start_daemon(cfg);
    sql("INSERT INTO companies (id, name) VALUES (1, 'Acme'), (2, 'Globex'), (3, 'Initech')");
    sql("INSERT INTO contacts (id, email, first_name, company_id) VALUES"
        " (1, 'ada@example.com', 'Ada', 1), (2, 'alan@example.com', 'Alan', 2)");
    EXPECT_TRUE(wait_all_applied());
    return cfg;
  }
  // Requests for one record since `since`.
  std::vector<logged_request> requests_for(const std::string& entity, std::int64_t since) {
    std::vector<logged_request> out;
    for (auto& r : kizen().requests(since).requests)
      if (r.entity_id() == entity) out.push_back(r);
    return out;
  }
};

TEST_F(dead_letter_test, rejected_change_is_dead_blocks_its_key_and_replays_in_order) {
  const auto cfg = start();
  const auto ada = entity_of("client_client", "1");
  const auto alan = entity_of("client_client", "2");
  const auto since = kizen().requests().last_seq();

  sql("UPDATE contacts SET first_name = '" + too_long + "' WHERE id = 1");
  ASSERT_TRUE(wait_until("the rejected change to be dead-lettered", [&] { return outbox().dead == 1; }));
  const auto dead_id = scalar("SELECT id FROM kizen_sync.outbox WHERE state = 'dead'");
  EXPECT_EQ(scalar("SELECT http_status FROM kizen_sync.outbox WHERE state = 'dead'"), "400");
  EXPECT_NE(scalar("SELECT last_error FROM kizen_sync.outbox WHERE state = 'dead'")
                .find("first_name: Ensure this field has no more than 255 characters."),
            std::string::npos)
      << scalar("SELECT last_error FROM kizen_sync.outbox WHERE state = 'dead'");

  // A later change of the same key waits; a change of another key committed after it flows.
  sql("UPDATE contacts SET last_name = 'Lovelace' WHERE id = 1");
  sql("UPDATE contacts SET first_name = 'Alan M.' WHERE id = 2");
  ASSERT_TRUE(wait_until("the other key's change to be applied", [&] {
    return count(
               "SELECT count(*) FROM kizen_sync.outbox WHERE key = '2' AND object = 'client_client'"
               " AND state <> 'done'") == 0;
  }));
  // The daemon claims in commit order, so it has passed the waiting change by now.
  EXPECT_EQ(scalar("SELECT state FROM kizen_sync.outbox WHERE key = '1' AND object = 'client_client'"
                   " ORDER BY id DESC LIMIT 1"),
            "pending");
  {
    const auto sent = requests_for(ada, since);
    ASSERT_EQ(sent.size(), 1u) << "only the rejected PATCH may have gone out for the blocked key";
    EXPECT_EQ(sent[0].status, 400);
    EXPECT_EQ(requests_for(alan, since).size(), 1u);
  }
  {
    const auto status = status_json(cfg);
    const auto& contacts = object_status(status, "client_client");
    EXPECT_EQ(number(contacts, "dead"), 1);
    EXPECT_EQ(number(contacts, "blocked_by_dead"), 1);
    EXPECT_EQ(number(contacts, "backlog"), 1);
    const auto& letters = contacts.at("dead_letters").as_array();
    ASSERT_EQ(letters.size(), 1u);
    const auto& letter = letters[0].as_object();
    EXPECT_EQ(std::to_string(number(letter, "id")), dead_id);
    EXPECT_EQ(letter.at("key").as_string(), "1");
    EXPECT_EQ(letter.at("op").as_string(), "update");
    EXPECT_EQ(number(letter, "http_status"), 400);
    EXPECT_NE(std::string(letter.at("error").as_string()).find("Ensure this field has no more than 255 characters."),
              std::string::npos)
        << json::serialize(letter);
  }

  // Fix the row, replay: the dead change and everything behind it go out, in order, as one PATCH.
  sql("UPDATE contacts SET first_name = 'Augusta Ada' WHERE id = 1");
  const auto replay = run_kizen_sync({"replay", "-c", cfg, "--all"});
  EXPECT_EQ(replay.exit_code, 0) << replay.err;
  EXPECT_EQ(replay.out, "requeued 1 dead change\n");
  ASSERT_TRUE(wait_all_applied());
  {
    const auto sent = requests_for(ada, since);
    ASSERT_EQ(sent.size(), 2u);
    EXPECT_EQ(sent[1].method, "PATCH");
    EXPECT_EQ(sent[1].status, 200);
    const auto writes = sent[1].field_writes();
    EXPECT_EQ(writes.at("first_name").at("value").as_string(), "Augusta Ada");
    EXPECT_EQ(writes.at("last_name").at("value").as_string(), "Lovelace");
  }
  expect_in_sync("client_client", contacts_expected_sql);
  EXPECT_EQ(count("SELECT count(*) FROM kizen_sync.outbox WHERE state <> 'done'"), 0);
  expect_clean_stop();
}

TEST_F(dead_letter_test, status_and_replay_report_backlog_dead_letters_and_mapped_records) {
  const auto cfg = start();
  sql("UPDATE companies SET name = '" + too_long + "' WHERE id = 1");
  sql("UPDATE contacts SET first_name = '" + too_long + "' WHERE id = 1");
  ASSERT_TRUE(wait_until("two dead letters", [&] { return outbox().dead == 2; }));
  ASSERT_TRUE(expect_clean_stop());

  // A backlog while the daemon is away: two companies, and two contacts of which one is blocked.
  sql("UPDATE companies SET domain = 'globex.example' WHERE id = 2");
  sql("UPDATE companies SET domain = 'initech.example' WHERE id = 3");
  sql("UPDATE contacts SET last_name = 'Turing' WHERE id = 2");
  sql("UPDATE contacts SET last_name = 'Lovelace' WHERE id = 1");
  const auto company_dead = scalar("SELECT id FROM kizen_sync.outbox WHERE state = 'dead' AND object = 'companies'");

  {
    const auto status = status_json(cfg);
    EXPECT_EQ(status.at("schema").as_string(), "kizen_sync");
    const auto& companies = object_status(status, "companies");
    EXPECT_EQ(number(companies, "backlog"), 2);
    EXPECT_EQ(number(companies, "dead"), 1);
    EXPECT_EQ(number(companies, "blocked_by_dead"), 0);
    EXPECT_EQ(number(companies, "mapped_records"), 3);
    EXPECT_EQ(number(companies, "in_flight"), 0);
    EXPECT_TRUE(companies.at("oldest_pending_seconds").is_number());
    EXPECT_TRUE(companies.at("configured").as_bool());
    ASSERT_EQ(companies.at("dead_letters").as_array().size(), 1u);
    EXPECT_NE(std::string(companies.at("dead_letters").as_array()[0].at("error").as_string()).find("name:"),
              std::string::npos);
    const auto& contacts = object_status(status, "client_client");
    EXPECT_EQ(number(contacts, "backlog"), 2);
    EXPECT_EQ(number(contacts, "dead"), 1);
    EXPECT_EQ(number(contacts, "blocked_by_dead"), 1);
    EXPECT_EQ(number(contacts, "mapped_records"), 2);
  }
  {
    const auto r = run_kizen_sync({"status", "-c", cfg});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    const auto& t = r.out;
    EXPECT_EQ(t.rfind("OBJECT", 0), 0u) << t;
    for (const char* column : {"BACKLOG", "OLDEST", "IN-FLIGHT", "DEAD", "MAPPED"})
      EXPECT_NE(t.find(column), std::string::npos) << t;
    EXPECT_NE(t.find("client_client: 1 dead letter holding back 1 later change"), std::string::npos) << t;
    EXPECT_NE(t.find("companies: 1 dead letter ("), std::string::npos) << t;
    EXPECT_NE(t.find("#" + company_dead + " key 1 update, 1 attempt, HTTP 400: "), std::string::npos) << t;
    EXPECT_NE(t.find("Ensure this field has no more than 255 characters."), std::string::npos) << t;
  }

  // replay: usage errors, one change by id, then the rest of one object.
  EXPECT_EQ(run_kizen_sync({"replay", "-c", cfg, "--object", "no_such_object", "--all"}).exit_code, 2);
  EXPECT_EQ(run_kizen_sync({"replay", "-c", cfg}).exit_code, 2);
  sql("UPDATE companies SET name = 'Acme' WHERE id = 1");
  sql("UPDATE contacts SET first_name = 'Ada' WHERE id = 1");
  {
    const auto r = run_kizen_sync({"replay", "-c", cfg, "--change", company_dead, "--change", "999999"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "requeued 1 dead change\n(1 of the given ids were not dead letters)\n");
    const auto status = status_json(cfg);
    EXPECT_EQ(number(object_status(status, "companies"), "dead"), 0);
    EXPECT_EQ(number(object_status(status, "companies"), "backlog"), 4);
    EXPECT_EQ(number(object_status(status, "client_client"), "dead"), 1);
  }
  {
    const auto r = run_kizen_sync({"replay", "-c", cfg, "--object", "client_client", "--all"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "requeued 1 dead change\n");
  }

  start_daemon(cfg);
  ASSERT_TRUE(wait_all_applied());
  expect_in_sync("companies", companies_expected_sql);
  expect_in_sync("client_client", contacts_expected_sql);
  const auto status = status_json(cfg);
  for (const char* object : {"companies", "client_client"}) {
    const auto& s = object_status(status, object);
    EXPECT_EQ(number(s, "backlog"), 0) << object;
    EXPECT_EQ(number(s, "dead"), 0) << object;
    EXPECT_TRUE(s.at("oldest_pending_seconds").is_null()) << object;
    EXPECT_GT(number(s, "applied_last_hour"), 0) << object;
    EXPECT_TRUE(s.at("dead_letters").as_array().empty()) << object;
  }
  EXPECT_EQ(number(object_status(status, "companies"), "mapped_records"), 3);
  EXPECT_EQ(number(object_status(status, "client_client"), "mapped_records"), 2);
  expect_clean_stop();
}

// `replay --skip`: the operator gives up on a change Kizen will never take. It is marked done
// without a request, and the key's later change goes out at once (only its own columns).
TEST_F(dead_letter_test, skipped_dead_change_is_never_sent_and_unblocks_its_key) {
  const auto cfg = start();
  const auto ada = entity_of("client_client", "1");
  const auto since = kizen().requests().last_seq();

  sql("UPDATE contacts SET first_name = '" + too_long + "' WHERE id = 1");
  ASSERT_TRUE(wait_until("the rejected change to be dead-lettered", [&] { return outbox().dead == 1; }));
  const auto dead_id = scalar("SELECT id FROM kizen_sync.outbox WHERE state = 'dead'");
  sql("UPDATE contacts SET last_name = 'Lovelace' WHERE id = 1");
  EXPECT_EQ(count("SELECT count(*) FROM kizen_sync.outbox WHERE state = 'pending'"), 1);

  const auto skip = run_kizen_sync({"replay", "-c", cfg, "--skip", "--change", dead_id});
  EXPECT_EQ(skip.exit_code, 0) << skip.err;
  EXPECT_EQ(skip.out, "skipped 1 dead change (marked done, not sent)\n");
  ASSERT_TRUE(wait_all_applied());
  EXPECT_EQ(scalar("SELECT state FROM kizen_sync.outbox WHERE id = " + dead_id), "done");
  EXPECT_EQ(scalar("SELECT last_error FROM kizen_sync.outbox WHERE id = " + dead_id)
                .rfind("skipped by operator (not sent): ", 0),
            0u);

  const auto sent = requests_for(ada, since);
  ASSERT_EQ(sent.size(), 2u) << "the rejected PATCH, then the later change only";
  EXPECT_EQ(sent[0].status, 400);
  EXPECT_EQ(sent[1].method, "PATCH");
  EXPECT_EQ(sent[1].status, 200);
  const auto writes = sent[1].field_writes();
  EXPECT_EQ(writes.at("last_name").at("value").as_string(), "Lovelace");
  EXPECT_FALSE(writes.contains("first_name")) << "the skipped value must not be sent";
  const auto status = status_json(cfg);
  EXPECT_EQ(number(object_status(status, "client_client"), "dead"), 0);
  EXPECT_EQ(number(object_status(status, "client_client"), "backlog"), 0);
  expect_clean_stop();
}

// Two Kizen records already hold the key in the match_field: which one the row is cannot be
// told, so the create is a dead letter naming the duplicates (no third record is added).
TEST_F(dead_letter_test, two_records_with_the_match_field_value_make_a_dead_letter_not_a_third) {
  config_options options;
  options.objects_yaml = deals_yaml;
  const auto cfg = prepare(options);
  for (const char* name : {"Dup A", "Dup B"})
    kizen().api_json(
        "POST", "/api/records/deals/add",
        std::string(R"({"fields":[{"name":"name","value":")") + name + R"("},{"name":"external_id","value":"7"}]})");
  start_daemon(cfg);
  sql("INSERT INTO deals (id, name, amount, stage) VALUES (7, 'Deal 7', '1.00', 'Open')");
  ASSERT_TRUE(wait_until("the create to be dead-lettered", [&] { return outbox().dead == 1; }));
  EXPECT_EQ(scalar("SELECT last_error FROM kizen_sync.outbox WHERE state = 'dead'"),
            "2 Kizen records of deals have external_id = '7'; fix the duplicates in Kizen, then replay");
  EXPECT_EQ(kizen().state().live_where("deals", "external_id", "7").size(), 2u);
  expect_clean_stop();
}

// Kizen took the change, but PostgreSQL refuses to record it (here a user trigger on the entity id
// write-back; an entity_id_column too short or a missing grant fail the same way): a dead letter
// with PostgreSQL's message after one attempt, not the same request again every few seconds, and
// the identity is kept, so the replay after the fix updates the record instead of adding another.
TEST_F(dead_letter_test, a_result_postgres_cannot_record_is_a_dead_letter_not_a_resend_loop) {
  config_options options;
  options.objects_yaml = std::string(companies_yaml) + contacts_yaml;
  const auto cfg = prepare(options);
  sql("CREATE FUNCTION freeze_kizen_id() RETURNS trigger LANGUAGE plpgsql AS $$"
      " BEGIN RAISE EXCEPTION 'kizen ids are frozen here'; END $$;"
      "CREATE TRIGGER freeze_ids BEFORE UPDATE OF kizen_id ON contacts FOR EACH ROW EXECUTE FUNCTION "
      "freeze_kizen_id()");
  start_daemon(cfg);
  const auto since = kizen().requests().last_seq();
  sql("INSERT INTO contacts (id, email, first_name) VALUES (5, 'grace@example.com', 'Grace')");
  ASSERT_TRUE(wait_until("the unrecordable change to be dead-lettered", [&] { return outbox().dead == 1; }));
  const auto error = scalar("SELECT last_error FROM kizen_sync.outbox WHERE state = 'dead'");
  EXPECT_NE(error.find("kizen ids are frozen here"), std::string::npos) << error;
  EXPECT_NE(error.find("PostgreSQL"), std::string::npos) << error;
  EXPECT_EQ(scalar("SELECT attempts FROM kizen_sync.outbox WHERE state = 'dead'"), "1");
  const auto state = kizen().state();
  const auto live = state.live_where("client_client", "email", "grace@example.com");
  ASSERT_EQ(live.size(), 1u);
  const std::string entity = live[0]->id;
  EXPECT_EQ(scalar("SELECT entity_id::text FROM kizen_sync.identity_map WHERE object = 'client_client' AND key = '5'"),
            entity);
  // No request goes out again while the letter is dead (the old code re-sent it every 10 s).
  const auto sent = kizen().requests(since).requests.size();
  std::this_thread::sleep_for(std::chrono::seconds(12));
  EXPECT_EQ(kizen().requests(since).requests.size(), sent);

  sql("DROP TRIGGER freeze_ids ON contacts");
  const auto replay = run_kizen_sync({"replay", "-c", cfg, "--all"});
  EXPECT_EQ(replay.exit_code, 0) << replay.err;
  ASSERT_TRUE(wait_all_applied());
  EXPECT_EQ(scalar("SELECT kizen_id::text FROM contacts WHERE id = 5"), entity);
  EXPECT_EQ(kizen().state().live_where("client_client", "email", "grace@example.com").size(), 1u);
  expect_clean_stop();
}

}  // namespace
}  // namespace ks::test::outbound
