// The inbound sync end to end: the real `kizen-sync run` against PostgreSQL and the emulator
// over sockets. Records made, changed and archived in Kizen reach the tables; nothing echoes in
// either direction; relationships (to one, to many beyond 100 values) and tags round-trip
// unchanged both ways; `status` reports the pull.
#include "tests/integration/inbound/inbound_fixture.hpp"

#include "connectors/kizen/timestamp.hpp"

#include <random>

using namespace ks::test;
using namespace ks::test::inbound;
namespace json = boost::json;

namespace {

class inbound_daemon : public inbound_test {
 protected:
  std::string start_both(const object_options& contacts = {}, const object_options& companies = {}) {
    config_options o;
    o.objects_yaml = companies_yaml(companies) + contacts_yaml(contacts);
    const auto path = prepare(o);
    start_daemon(path);
    return path;
  }
  bool wait_in_sync(const std::string& what) {
    std::string why;
    const bool ok = wait_until(what, [&] {
      return in_sync("companies", companies_as_kizen_sql, &why) &&
             in_sync("client_client", contacts_as_kizen_sql, &why);
    });
    if (!ok) ADD_FAILURE() << why;
    return ok;
  }
  // Kizen's `updated` of a record as a timestamp.
  ks::kizen::timestamp updated_of(const std::string& id) {
    const auto state = kizen().state();
    const auto* r = state.find(id);
    if (!r) throw std::runtime_error("no record " + id);
    return *ks::kizen::parse_timestamp(r->updated);
  }
  // The pull has read past `t` (its cursor is at or after it).
  bool pulled_past(const std::string& object, ks::kizen::timestamp t) {
    const auto cursor = scalar(
        "SELECT to_char(cursor_updated AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
        " FROM kizen_sync.pull_cursors WHERE object = '" +
        object + "'");
    const auto c = ks::kizen::parse_timestamp(cursor);
    return c && *c >= t;
  }
};

std::string ids_json(const std::vector<std::string>& ids) {
  std::string out = "[";
  for (const auto& id : ids) out += (out.size() > 1 ? "," : "") + (R"({"id":")" + id + R"("})");
  return out + "]";
}

}  // namespace

TEST_F(inbound_daemon, records_created_updated_and_archived_in_kizen_appear_change_and_disappear) {
  start_both();
  const auto mark = request_mark();
  int our_writes = 0;

  // Created.
  const auto acme = add("companies", R"([{"name":"name","value":"Acme"},{"name":"industry","value":{"name":"Software"}},
      {"name":"employees","value":50}])");
  const auto globex = add("companies", R"([{"name":"name","value":"Globex"},{"name":"domain","value":"globex.test"}])");
  const auto ann =
      add("client_client", R"([{"name":"email","value":"ann@example.com"},{"name":"first_name","value":"Ann"},
      {"name":"company","value":{"id":")" +
                               acme + R"("}},{"name":"tags","add_values":[{"name":"vip"},{"name":"beta"}]},
      {"name":"stage","value":{"name":"Lead"}},{"name":"lead_score","value":7},{"name":"newsletter","value":true},
      {"name":"birthday","value":"1985-12-31"},{"name":"last_contacted","value":"2025-03-04T05:06:07.089Z"},
      {"name":"lifetime_value","value":"99.90"},{"name":"discount_rate","value":"0.25"}])");
  const auto bob =
      add("client_client", R"([{"name":"email","value":"bob@example.com"},{"name":"last_name","value":"Stone"},
      {"name":"company","value":{"id":")" +
                               globex + R"("}}])");
  patch("companies", acme, R"([{"name":"contacts","value":)" + ids_json({ann, bob}) + "}]");
  our_writes += 5;
  ASSERT_TRUE(wait_in_sync("the created records in the tables"));
  EXPECT_EQ(count("SELECT count(*) FROM companies"), 2);
  EXPECT_EQ(count("SELECT count(*) FROM contacts"), 2);
  const auto ann_key = key_of("client_client", ann), bob_key = key_of("client_client", bob);
  const auto acme_key = key_of("companies", acme), globex_key = key_of("companies", globex);
  EXPECT_EQ(scalar("SELECT concat_ws('|', first_name, company_id, tags, stage, newsletter) FROM contacts WHERE id = " +
                   ann_key),
            "Ann|" + acme_key + "|{vip,beta}|Lead|t");
  EXPECT_EQ(scalar("SELECT contact_ids::text FROM companies WHERE id = " + acme_key),
            "{" + ann_key + "," + bob_key + "}");

  // Updated: scalars, a blank, tags added and removed, the to-one and the to-many relationship.
  patch("client_client", ann,
        R"([{"name":"first_name","value":"Annie"},{"name":"lead_score","value":null},
      {"name":"company","value":{"id":")" +
            globex + R"("}},
      {"name":"tags","add_values":[{"name":"gold"}],"remove_values":[{"name":"vip"}]},
      {"name":"stage","value":{"name":"Customer"}},{"name":"newsletter","value":false}])");
  patch("companies", acme, R"([{"name":"contacts","remove_values":[{"id":")" + bob + R"("}]},
      {"name":"employees","value":51}])");
  patch("companies", globex, R"([{"name":"contacts","add_values":[{"id":")" + bob + R"("}]}])");
  our_writes += 3;
  ASSERT_TRUE(wait_in_sync("the updates in the tables"));
  EXPECT_EQ(
      scalar(
          "SELECT concat_ws('|', first_name, coalesce(lead_score::text, '-'), company_id, "
          "(SELECT string_agg(t, ',' ORDER BY t) FROM unnest(tags) t), stage, newsletter) FROM contacts WHERE id = " +
          ann_key),
      "Annie|-|" + globex_key + "|beta,gold|Customer|f");
  EXPECT_EQ(scalar("SELECT contact_ids::text || employees FROM companies WHERE id = " + acme_key),
            "{" + ann_key + "}51");
  EXPECT_EQ(scalar("SELECT contact_ids::text FROM companies WHERE id = " + globex_key), "{" + bob_key + "}");

  // Archived: gone from the tables at the next reconcile, and from the identity map.
  archive("client_client", bob);
  archive("companies", globex);
  our_writes += 2;
  ASSERT_TRUE(wait_until("the archived records' rows to be deleted", [&] {
    return count("SELECT count(*) FROM contacts") == 1 && count("SELECT count(*) FROM companies") == 1;
  }));
  EXPECT_EQ(entity_of("client_client", bob_key), "");
  EXPECT_EQ(entity_of("companies", globex_key), "");
  ASSERT_TRUE(wait_in_sync("the tables after the archives"));

  // None of it went back to Kizen: the daemon wrote nothing, and nothing is queued.
  const auto log = kizen().requests(mark);
  EXPECT_EQ(writes_in(log).size(), static_cast<std::size_t>(our_writes));
  EXPECT_EQ(count("SELECT count(*) FROM kizen_sync.outbox"), 0);
  EXPECT_EQ(daemon()->stop(), 0) << log_tail();
}

TEST_F(inbound_daemon, an_outbound_change_does_not_come_back_as_a_write_to_the_table) {
  start_both();
  sql("INSERT INTO companies (id, name) VALUES (1, 'Initech')");
  // last_contacted has microseconds; Kizen keeps milliseconds.
  sql("INSERT INTO contacts (id, email, first_name, company_id, tags, last_contacted) VALUES"
      " (1, 'peter@example.com', 'Peter', 1, '{a,b}', '2025-03-04 05:06:07.089512+00')");
  ASSERT_TRUE(wait_until("the rows to reach Kizen",
                         [&] { return pending_changes() == 0 && !entity_of("client_client", "1").empty(); }));
  sql("UPDATE contacts SET first_name = 'Pete', tags = '{b,c,a}', stage = 'Qualified' WHERE id = 1");
  const auto id = entity_of("client_client", "1");
  ASSERT_TRUE(wait_until("the update to reach Kizen", [&] {
    const auto state = kizen().state();
    const auto* r = state.find(id);
    return pending_changes() == 0 && r && r->text("first_name") == std::optional<std::string>("Pete");
  }));
  const auto version = versions("contacts");
  const auto queued = count("SELECT count(*) FROM kizen_sync.outbox");
  const auto mark = request_mark();

  // The pull reads the record back (its cursor passes the record's `updated`), then some more.
  const auto updated = updated_of(id);
  ASSERT_TRUE(wait_until("the pull to read the changed record", [&] { return pulled_past("client_client", updated); }));
  ASSERT_TRUE(wait_for_pulls("client_client", 2));
  EXPECT_EQ(versions("contacts"), version) << "the row was rewritten by its own change coming back";
  EXPECT_EQ(count("SELECT count(*) FROM kizen_sync.outbox"), queued) << "a second outbox entry appeared";
  EXPECT_TRUE(writes_in(kizen().requests(mark)).empty());
  EXPECT_EQ(scalar("SELECT tags::text FROM contacts WHERE id = 1"), "{b,c,a}");  // the row's own order
  EXPECT_EQ(scalar("SELECT to_char(last_contacted AT TIME ZONE 'UTC', 'HH24:MI:SS.US') FROM contacts WHERE id = 1"),
            "05:06:07.089512")
      << "the pull truncated the row's timestamp to Kizen's milliseconds";
  EXPECT_EQ(daemon()->stop(), 0) << log_tail();
}

TEST_F(inbound_daemon, an_inbound_write_does_not_go_back_to_kizen) {
  start_both();
  const auto id =
      add("client_client", R"([{"name":"email","value":"joan@example.com"},{"name":"first_name","value":"Joan"}])");
  ASSERT_TRUE(wait_until("the record to arrive", [&] { return !key_of("client_client", id).empty(); }));
  const auto key = key_of("client_client", id);
  const auto mark = request_mark();
  patch("client_client", id,
        R"([{"name":"first_name","value":"Joanna"},{"name":"tags","add_values":[{"name":"new"}]}])");
  ASSERT_TRUE(wait_until("the change to arrive",
                         [&] { return scalar("SELECT first_name FROM contacts WHERE id = " + key) == "Joanna"; }));
  ASSERT_TRUE(wait_for_pulls("client_client", 3));
  EXPECT_EQ(count("SELECT count(*) FROM kizen_sync.outbox"), 0) << "the inbound write was captured";
  const auto writes = writes_in(kizen().requests(mark));
  ASSERT_EQ(writes.size(), 1u) << "the daemon wrote to Kizen after the inbound write";
  EXPECT_EQ(writes[0].method, "PATCH");  // ours
  EXPECT_EQ(daemon()->stop(), 0) << log_tail();
}

TEST_F(inbound_daemon, relationships_and_tags_round_trip_from_the_database_unchanged) {
  // More than 100 related records: Kizen summarizes the list and the pull reads it in full.
  constexpr int n = 120;
  const auto config = start_both();
  sql("INSERT INTO companies (id, name, domain) VALUES (1, 'Big Co', 'big.test'), (2, 'Small Co', NULL)");
  sql("INSERT INTO contacts (id, email, company_id, tags) SELECT g, 'p' || g || '@example.com',"
      " CASE WHEN g % 2 = 0 THEN 1 ELSE 2 END, ARRAY['t' || (g % 3), 'all'] FROM generate_series(1, " +
      std::to_string(n) + ") g");
  sql("UPDATE companies SET contact_ids = ARRAY(SELECT g FROM generate_series(" + std::to_string(n) +
      ", 1, -1) g) WHERE id = 1");
  ASSERT_TRUE(wait_until("everything to reach Kizen", [&] { return pending_changes() == 0; }));
  ASSERT_TRUE(wait_in_sync("Kizen to hold the table"));
  const auto big = entity_of("companies", "1");
  ASSERT_EQ(kizen().state().find(big)->names("contacts").size(), static_cast<std::size_t>(n));

  // Back: make the pull read every record again as if it had never seen them. The daemon is
  // stopped meanwhile: a pull still in flight would otherwise record the company it had already
  // read in full just before the reset, and the fresh walk would rightly skip it.
  ASSERT_EQ(daemon()->stop(), 0) << log_tail();
  const auto companies_before = versions("companies");
  const auto contacts_before = versions("contacts");
  const auto queued = count("SELECT count(*) FROM kizen_sync.outbox");
  sql("UPDATE kizen_sync.identity_map SET kizen_updated = NULL;"
      "UPDATE kizen_sync.pull_cursors SET cursor_updated = NULL, cursor_id = NULL");
  const auto mark = request_mark();
  start_daemon(config);
  ASSERT_TRUE(wait_until("every record to be read back", [&] {
    return count("SELECT count(*) FROM kizen_sync.identity_map WHERE kizen_updated IS NULL") == 0;
  }));
  EXPECT_EQ(versions("companies"), companies_before) << "a company row changed on its way back";
  EXPECT_EQ(versions("contacts"), contacts_before) << "a contact row changed on its way back";
  EXPECT_EQ(count("SELECT count(*) FROM kizen_sync.outbox"), queued);
  const auto log = kizen().requests(mark);
  EXPECT_GE(log.matching("GET", "/api/records/{entity_id}/field-values/{field_id}").size(), 2u)
      << "the summarized relationship was not read in full";
  EXPECT_TRUE(writes_in(log).empty());
  EXPECT_EQ(daemon()->stop(), 0) << log_tail();
}

TEST_F(inbound_daemon, relationships_and_tags_round_trip_from_kizen_unchanged) {
  constexpr int n = 130;
  const auto config = start_both();
  std::vector<std::string> people;
  const auto big = add("companies", R"([{"name":"name","value":"Kizen Big"}])");
  for (int i = 0; i < n; ++i)
    people.push_back(add("client_client", R"([{"name":"email","value":"k)" + std::to_string(i) +
                                              R"(@example.com"},{"name":"newsletter","value":)" +
                                              (i % 2 ? "true" : "false") + R"(},{"name":"company","value":{"id":")" +
                                              big + R"("}},{"name":"tags","add_values":[{"name":"k)" +
                                              std::to_string(i % 4) + R"("},{"name":"shared"}]}])"));
  std::vector<std::string> reversed(people.rbegin(), people.rend());
  patch("companies", big, R"([{"name":"contacts","value":)" + ids_json(reversed) + "}]");
  ASSERT_TRUE(wait_in_sync("the records in the tables"));
  const auto big_key = key_of("companies", big);
  EXPECT_EQ(count("SELECT cardinality(contact_ids) FROM companies WHERE id = " + big_key), n);
  EXPECT_EQ(count("SELECT count(*) FROM contacts WHERE company_id = " + big_key), n);
  ASSERT_EQ(daemon()->stop(), 0) << log_tail();

  // And back: every row sent to Kizen whole (a repair resync) changes no record at all.
  const auto before = kizen().state();
  const auto mark = request_mark();
  for (const char* object : {"companies", "client_client"}) {
    const auto r =
        run_kizen_sync({"resync", "-c", config, "--object", object, "--direction", "to_kizen"}, 300s, daemon_env());
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  }
  EXPECT_GE(writes_in(kizen().requests(mark)).size(), static_cast<std::size_t>(n + 1));  // it did send them
  const auto after = kizen().state();
  for (const char* object : {"companies", "client_client"}) {
    const auto& was = before.records(object);
    const auto& now = after.records(object);
    ASSERT_EQ(was.size(), now.size()) << object;
    for (std::size_t i = 0; i < was.size(); ++i) {
      EXPECT_EQ(canonical(now[i].fields), canonical(was[i].fields)) << object << " " << was[i].id;
      EXPECT_EQ(now[i].updated, was[i].updated) << object << " " << was[i].id << " was changed";
    }
  }
}

TEST_F(inbound_daemon, status_shows_the_last_pull_the_cursor_and_the_lag) {
  const auto config = start_both();
  const auto id = add("client_client", R"([{"name":"email","value":"st@example.com"}])");
  ASSERT_TRUE(wait_until("the record to arrive", [&] { return !key_of("client_client", id).empty(); }));
  ASSERT_TRUE(wait_for_pulls("client_client", 1));
  const auto updated = kizen().state().find(id)->updated;

  const auto table = run_kizen_sync({"status", "-c", config}, 60s, daemon_env());
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("LAST PULL"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("PULL LAG"), std::string::npos) << table.out;
  std::istringstream lines(table.out);
  std::string line, contacts_line;
  while (std::getline(lines, line))
    if (line.rfind("client_client", 0) == 0) contacts_line = line;
  ASSERT_FALSE(contacts_line.empty()) << table.out;
  EXPECT_NE(contacts_line.find(last_pull_at("client_client").substr(0, 10)), std::string::npos) << contacts_line;

  const auto as_json = run_kizen_sync({"status", "-c", config, "--json"}, 60s, daemon_env());
  ASSERT_EQ(as_json.exit_code, 0) << as_json.err;
  const auto doc = json::parse(as_json.out);
  const json::object* contacts = nullptr;
  for (const auto& o : doc.at("objects").as_array())
    if (o.at("object") == "client_client") contacts = &o.as_object();
  ASSERT_NE(contacts, nullptr) << as_json.out;
  EXPECT_TRUE(contacts->at("pulls").as_bool());
  EXPECT_TRUE(ks::kizen::parse_timestamp(contacts->at("last_pull_at").as_string()).has_value());
  EXPECT_TRUE(contacts->at("last_pull_error").is_null());
  EXPECT_GE(contacts->at("pull_lag_seconds").to_number<double>(), 0.0);
  EXPECT_EQ(contacts->at("cursor").at("id"), json::value(id));
  EXPECT_EQ(contacts->at("cursor").at("updated"), json::value(updated));
  EXPECT_EQ(contacts->at("mapped_records"), json::value(1));
  EXPECT_EQ(daemon()->stop(), 0) << log_tail();
}

// Random edits on both sides for a while, then quiescence: the two sides hold the same data,
// and the daemon stops writing (no ping-pong), having written at most once per database edit.
TEST_F(inbound_daemon, bidirectional_soak_settles_equal_without_ping_pong) {
  start_both();
  sql("INSERT INTO companies (id, name) SELECT g, 'Company ' || g FROM generate_series(1, 5) g");
  sql("INSERT INTO contacts (email, first_name, company_id, tags) SELECT 's' || g || '@example.com', 'n' || g,"
      " 1 + g % 5, ARRAY['base'] FROM generate_series(1, 20) g");
  ASSERT_TRUE(wait_until("the initial rows to reach Kizen", [&] {
    return pending_changes() == 0 && count("SELECT count(*) FROM kizen_sync.identity_map") == 25;
  }));
  ASSERT_TRUE(wait_in_sync("the initial data on both sides"));
  const auto start_mark = request_mark();
  const auto outbox_before = count("SELECT count(*) FROM kizen_sync.outbox");

  std::mt19937 rng(20250101);
  auto pick = [&](int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); };
  const char* stages[] = {"Lead", "Qualified", "Customer", "Churned"};
  std::int64_t db_edits = 0;
  int kizen_writes = 0;
  const auto until = std::chrono::steady_clock::now() + 20s;
  for (int i = 0; std::chrono::steady_clock::now() < until; ++i) {
    const auto tag = "x" + std::to_string(i);
    if (pick(2) == 0) {  // the database
      pqxx::work tx(db());
      const auto victim = "(SELECT id FROM contacts ORDER BY id OFFSET " + std::to_string(pick(20)) + " LIMIT 1)";
      pqxx::result r;
      switch (pick(5)) {
        case 0:
          r = tx.exec("UPDATE contacts SET first_name = 'db" + std::to_string(i) + "' WHERE id = " + victim);
          break;
        case 1: {
          const std::string stage = stages[pick(4)];
          r = tx.exec("UPDATE contacts SET stage = '" + stage + "' WHERE id = " + victim +
                      " AND stage IS DISTINCT FROM '" + stage + "'");
          break;
        }
        case 2: r = tx.exec("UPDATE contacts SET tags = array_append(tags, '" + tag + "') WHERE id = " + victim); break;
        case 3:
          r = tx.exec("UPDATE contacts SET tags = array_remove(tags, 'base') WHERE id = " + victim +
                      " AND 'base' = ANY(tags)");
          break;
        default: {
          const auto company = std::to_string(1 + pick(5));
          r = tx.exec("UPDATE contacts SET company_id = " + company + " WHERE id = " + victim +
                      " AND company_id IS DISTINCT FROM " + company);
          break;
        }
      }
      tx.commit();
      db_edits += r.affected_rows();
    } else {  // Kizen
      const auto state = kizen().state();
      const auto contacts = state.live("client_client");
      const auto* victim = contacts[static_cast<std::size_t>(pick(static_cast<int>(contacts.size())))];
      switch (pick(4)) {
        case 0:
          patch("client_client", victim->id, R"([{"name":"last_name","value":"kz)" + std::to_string(i) + R"("}])");
          break;
        case 1:
          patch("client_client", victim->id, R"([{"name":"first_name","value":"kz)" + std::to_string(i) + R"("}])");
          break;
        case 2:
          patch("client_client", victim->id, R"([{"name":"tags","add_values":[{"name":")" + tag + R"("}],
                      "remove_values":[{"name":"base"}]}])");
          break;
        default:
          patch("client_client", victim->id,
                R"([{"name":"stage","value":{"name":")" + std::string(stages[pick(4)]) + R"("}}])");
          break;
      }
      ++kizen_writes;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(30 + pick(120)));
  }

  // Quiescence: nothing queued and both sides equal.
  ASSERT_TRUE(wait_until("the outbox to drain", [&] { return pending_changes() == 0; }));
  ASSERT_TRUE(wait_in_sync("both sides to hold the same data"));
  EXPECT_EQ(count("SELECT count(*) FROM kizen_sync.outbox WHERE state = 'dead'"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM kizen_sync.outbox") - outbox_before, db_edits)
      << "every database edit queued once, no inbound write queued";

  // No ping-pong: after quiescence the daemon writes nothing more, however long it pulls.
  const auto quiet = request_mark();
  ASSERT_TRUE(wait_for_pulls("client_client", 4));
  EXPECT_TRUE(writes_in(kizen().requests(quiet)).empty());
  const auto daemon_writes = static_cast<std::int64_t>(writes_in(kizen().requests(start_mark)).size()) - kizen_writes;
  EXPECT_LE(daemon_writes, db_edits) << "more outbound writes than database edits";
  std::cerr << "soak: " << db_edits << " database edits, " << kizen_writes << " Kizen edits, " << daemon_writes
            << " outbound writes\n";
  EXPECT_EQ(daemon()->stop(), 0) << log_tail();
}
