// The inbound puller in this process (no daemon), against PostgreSQL and the emulator over
// sockets: what one pull or reconcile does, step by step. Used where the order of events on both
// sides must be exact: records sharing one `updated` across pages and pulls, and the conflict
// policies (a database change still queued while Kizen changed the same record).
#include "tests/integration/inbound/inbound_fixture.hpp"

#include "connectors/kizen/timestamp.hpp"

using namespace ks::test;
using namespace ks::test::inbound;
namespace json = boost::json;

namespace {

class inbound_puller : public inbound_test {
 protected:
  std::string prepare_both(const object_options& contacts = {}, const object_options& companies = {}) {
    config_options o;
    o.objects_yaml = companies_yaml(companies) + contacts_yaml(contacts);
    return prepare(o);
  }

  // The contact's values of `columns` (expressions), "|"-separated, NULLs left out.
  std::string contact_row(const std::string& key, const std::string& columns) {
    return scalar("SELECT concat_ws('|', " + columns + ") FROM contacts WHERE id = " + key);
  }
};

std::string later_than(const std::string& iso, std::chrono::milliseconds by) {
  const auto t = ks::kizen::parse_timestamp(iso);
  if (!t) throw std::runtime_error("not a timestamp: " + iso);
  return ks::kizen::format_timestamp(*t + by);
}

}  // namespace

TEST_F(inbound_puller, a_pull_writes_every_value_kind_and_pulls_referenced_records_first) {
  const auto config = prepare_both();
  const auto company = add("companies", R"([{"name":"name","value":"Acme"},{"name":"domain","value":"acme.test"},
      {"name":"employees","value":12},{"name":"industry","value":{"name":"Retail"}}])");
  const auto contact = add("client_client", R"([{"name":"email","value":"ann@example.com"},
      {"name":"first_name","value":"Ann"},{"name":"last_name","value":"Lee"},
      {"name":"company","value":{"id":")" + company +
                                                R"("}},
      {"name":"tags","add_values":[{"name":"vip"},{"name":"beta"}]},
      {"name":"stage","value":{"name":"Qualified"}},{"name":"lead_score","value":42},
      {"name":"newsletter","value":true},{"name":"birthday","value":"1990-02-28"},
      {"name":"last_contacted","value":"2025-01-02T03:04:05.678Z"},
      {"name":"lifetime_value","value":"1234.50"},{"name":"discount_rate","value":"0.125"}])");
  engine_harness engine(config);
  const auto mark = request_mark();

  // Only contacts are pulled: the company it points to has no row yet and is fetched first.
  const auto stats = engine.pull("client_client");
  EXPECT_EQ(stats.written, 1);
  EXPECT_EQ(stats.failed, 0) << (stats.errors.empty() ? "" : stats.errors.front());
  const auto company_key = key_of("companies", company);
  const auto contact_key = key_of("client_client", contact);
  ASSERT_FALSE(company_key.empty());
  ASSERT_FALSE(contact_key.empty());
  EXPECT_EQ(scalar("SELECT concat_ws('|', name, domain, employees, industry, kizen_id) FROM companies"),
            "Acme|acme.test|12|Retail|" + company);
  EXPECT_EQ(contact_row(contact_key,
                        "email, first_name, last_name, company_id, tags, stage, lead_score, newsletter, "
                        "birthday, to_char(last_contacted AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.MS'), "
                        "lifetime_value, discount_rate, kizen_id"),
            "ann@example.com|Ann|Lee|" + company_key +
                "|{vip,beta}|Qualified|42|t|1990-02-28|2025-01-02 03:04:05.678|"
                "1234.50|0.125|" +
                contact);
  EXPECT_EQ(pending_changes(), 0);  // nothing written by the pull goes back to Kizen
  EXPECT_EQ(count("SELECT count(*) FROM kizen_sync.outbox"), 0);
  const auto log = kizen().requests(mark);
  EXPECT_EQ(log.matching("GET", record_path).size(), 1u);  // the company, by id
  EXPECT_TRUE(writes_in(log).empty());
  expect_in_sync("client_client", contacts_as_kizen_sql);
  expect_in_sync("companies", companies_as_kizen_sql);

  // The cursor stands at the contact; pulling again re-reads the overlap and writes nothing.
  EXPECT_EQ(scalar("SELECT cursor_id::text FROM kizen_sync.pull_cursors WHERE object = 'client_client'"), contact);
  const auto before = versions("contacts");
  const auto again = engine.pull("client_client");
  EXPECT_EQ(again.written, 0);
  EXPECT_EQ(versions("contacts"), before);
}

TEST_F(inbound_puller, records_sharing_one_updated_time_all_arrive_across_pages_and_pulls) {
  const auto config = prepare_both();
  constexpr int n = 500;
  std::vector<std::string> ids;
  for (int i = 0; i < n; ++i)
    ids.push_back(add("client_client", R"([{"name":"email","value":"c)" + std::to_string(i) +
                                           R"(@example.com"},{"name":"first_name","value":"v0"}])"));
  engine_harness engine(config);
  auto stats = engine.pull("client_client");
  ASSERT_EQ(stats.written, n);
  ASSERT_EQ(count("SELECT count(*) FROM contacts WHERE first_name = 'v0'"), n);

  // Every update from here on gets exactly the same `updated`.
  const auto frozen = later_than(kizen_now(), 1s);
  kizen().freeze_clock(frozen);
  for (int i = 0; i < n; i += 2) patch("client_client", ids[i], R"([{"name":"first_name","value":"v1"}])");
  const auto mark = request_mark();
  stats = engine.pull("client_client");
  EXPECT_EQ(stats.written, n / 2);
  EXPECT_EQ(count("SELECT count(*) FROM contacts WHERE first_name = 'v1'"), n / 2);
  // 250 records of one timestamp: three pages at 100 a page.
  EXPECT_GE(kizen().requests(mark).matching("POST", search_path).size(), 3u);
  EXPECT_EQ(scalar("SELECT to_char(cursor_updated AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
                   " FROM kizen_sync.pull_cursors WHERE object = 'client_client'"),
            frozen);

  // The other half, at the same time: many sort before the cursor's id, and must not be skipped.
  for (int i = 1; i < n; i += 2) patch("client_client", ids[i], R"([{"name":"first_name","value":"v1"}])");
  stats = engine.pull("client_client");
  EXPECT_EQ(stats.written, n / 2);
  EXPECT_EQ(count("SELECT count(*) FROM contacts WHERE first_name = 'v1'"), n);
  EXPECT_EQ(stats.failed, 0);
  kizen().freeze_clock(std::nullopt);
}

TEST_F(inbound_puller, reconcile_finds_records_archived_in_kizen_per_on_archive) {
  object_options ignore;
  ignore.on_archive = "ignore";
  const auto config = prepare_both({}, ignore);
  const auto company = add("companies", R"([{"name":"name","value":"Gone Inc"}])");
  const auto contact = add("client_client", R"([{"name":"email","value":"gone@example.com"}])");
  const auto stays = add("client_client", R"([{"name":"email","value":"stays@example.com"}])");
  engine_harness engine(config);
  engine.pull("companies");
  engine.pull("client_client");
  const auto contact_key = key_of("client_client", contact);
  const auto company_key = key_of("companies", company);
  ASSERT_FALSE(contact_key.empty());
  // A database change of the contact is still queued when Kizen archives it.
  sql("UPDATE contacts SET first_name = 'late' WHERE id = " + contact_key);
  archive("client_client", contact);
  archive("companies", company);

  EXPECT_EQ(engine.pull("client_client").written, 0);  // archived records leave search: a pull cannot see it
  const auto r = engine.reconcile("client_client");
  EXPECT_EQ(r.archived, 1);
  EXPECT_EQ(count("SELECT count(*) FROM contacts WHERE id = " + contact_key), 0);  // on_archive: delete
  EXPECT_EQ(entity_of("client_client", contact_key), "");
  EXPECT_EQ(pending_changes(), 0);  // the queued change would re-create it: settled
  EXPECT_EQ(scalar("SELECT last_error FROM kizen_sync.outbox WHERE key = '" + contact_key + "'"),
            "record archived in Kizen; row deleted");
  EXPECT_FALSE(key_of("client_client", stays).empty());

  const auto c = engine.reconcile("companies");
  EXPECT_EQ(c.archived, 1);
  EXPECT_EQ(count("SELECT count(*) FROM companies WHERE id = " + company_key), 1);  // on_archive: ignore
  EXPECT_EQ(entity_of("companies", company_key), "");
}

TEST_F(inbound_puller, reconcile_applies_records_the_incremental_pull_missed) {
  const auto config = prepare_both();
  add("client_client", R"([{"name":"email","value":"a@example.com"}])");
  engine_harness engine(config);
  engine.pull("client_client");
  // A record dated well before the cursor (as one that shows up in search late would be):
  // search by `updated` cannot find it any more, the reconcile walk does.
  kizen().freeze_clock(later_than(kizen_now(), -1h));
  const auto late = add("client_client", R"([{"name":"email","value":"late@example.com"}])");
  kizen().freeze_clock(std::nullopt);
  EXPECT_EQ(engine.pull("client_client").written, 0);
  EXPECT_TRUE(key_of("client_client", late).empty());
  const auto r = engine.reconcile("client_client");
  EXPECT_EQ(r.written, 1);
  EXPECT_FALSE(key_of("client_client", late).empty());
  EXPECT_EQ(engine.reconcile("client_client").written, 0);  // known now, at this version
}

// --- conflicts ---------------------------------------------------------------------------------

namespace {

struct conflict_case {
  const char* policy;
  bool kizen_newer;        // Kizen's change is dated after the database commit
  const char* first_name;  // the field both sides changed: who wins
};

// Readable in gtest's and ctest's listings (instead of the case's bytes).
void PrintTo(const conflict_case& c, std::ostream* os) {
  *os << c.policy << (c.kizen_newer ? ", Kizen newer" : ", database newer") << ", " << c.first_name << " wins";
}

std::string case_name(const ::testing::TestParamInfo<conflict_case>& info) {
  return std::string(info.param.policy) + (info.param.kizen_newer ? "_kizen_newer" : "_database_newer");
}

class inbound_conflict : public inbound_puller, public ::testing::WithParamInterface<conflict_case> {};

}  // namespace

// Both sides change the same contact within one pull interval: the database first_name and
// last_name (queued, not yet sent), Kizen first_name and stage. first_name is the conflict;
// last_name changed only in the database and stage only in Kizen, so those always survive.
TEST_P(inbound_conflict, the_policy_decides_field_by_field_in_the_table_and_in_kizen) {
  const auto& c = GetParam();
  object_options o;
  o.conflict = c.policy;
  const auto config = prepare_both(o);
  const auto id = add("client_client", R"([{"name":"email","value":"ann@example.com"},
      {"name":"first_name","value":"Ann"},{"name":"last_name","value":"Lee"},{"name":"stage","value":{"name":"Lead"}}])");
  engine_harness engine(config);
  engine.pull("client_client");
  const auto key = key_of("client_client", id);
  ASSERT_FALSE(key.empty());

  const auto change_in_kizen = [&] {
    patch("client_client", id,
          R"([{"name":"first_name","value":"Kizen"},{"name":"stage","value":{"name":"Qualified"}}])");
  };
  const auto change_in_database = [&] {
    sql("UPDATE contacts SET first_name = 'Database', last_name = 'Database' WHERE id = " + key);
  };
  if (c.kizen_newer) {
    change_in_database();
    // Kizen's update is dated 2 s after the commit.
    const auto committed = scalar(
        "SELECT to_char(max(created_at) AT TIME ZONE 'UTC', "
        "'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') FROM kizen_sync.outbox");
    kizen().freeze_clock(later_than(committed, 2s));
    change_in_kizen();
  } else {
    // Kizen's update is dated now; the commit comes after it.
    kizen().freeze_clock(kizen_now());
    change_in_kizen();
    change_in_database();
  }
  ASSERT_EQ(pending_changes(), 1);

  const auto stats = engine.pull("client_client");
  EXPECT_EQ(stats.failed, 0);
  const std::string expected = std::string(c.first_name) + "|Database|Qualified";
  EXPECT_EQ(contact_row(key, "first_name, last_name, stage"), expected) << "table after the pull";
  const bool kizen_won = std::string(c.first_name) == "Kizen";
  EXPECT_EQ(scalar("SELECT array_to_string(changed_columns, ',') FROM kizen_sync.outbox WHERE state = 'pending'"),
            kizen_won ? "last_name" : "first_name,last_name")
      << "the queued change keeps only what the database still owns";

  ASSERT_TRUE(engine.run_outbound_until([&] { return pending_changes() == 0; }));
  const auto state = kizen().state();
  const auto* rec = state.find(id);
  ASSERT_NE(rec, nullptr);
  EXPECT_EQ(rec->text("first_name"), std::optional<std::string>(c.first_name)) << "Kizen after the outbound sync";
  EXPECT_EQ(rec->text("last_name"), std::optional<std::string>("Database"));
  EXPECT_EQ(rec->text("stage"), std::optional<std::string>("Qualified"));
  EXPECT_EQ(count("SELECT count(*) FROM kizen_sync.outbox WHERE state = 'dead'"), 0);

  // Settled: another pull changes nothing on either side.
  const auto before = versions("contacts");
  const auto mark = request_mark();
  engine.pull("client_client");
  EXPECT_EQ(versions("contacts"), before);
  EXPECT_EQ(contact_row(key, "first_name, last_name, stage"), expected);
  EXPECT_EQ(pending_changes(), 0);
  EXPECT_TRUE(writes_in(kizen().requests(mark)).empty());
  kizen().freeze_clock(std::nullopt);
}

INSTANTIATE_TEST_SUITE_P(inbound, inbound_conflict,
                         ::testing::Values(conflict_case{"newest_wins", true, "Kizen"},
                                           conflict_case{"newest_wins", false, "Database"},
                                           conflict_case{"database_wins", true, "Database"},
                                           conflict_case{"database_wins", false, "Database"},
                                           conflict_case{"kizen_wins", true, "Kizen"},
                                           conflict_case{"kizen_wins", false, "Kizen"}),
                         case_name);

// Kizen matches lookups ignoring case and collapsing spaces; so does the pull, or `A@x.com` in
// Kizen beside row `a@x.com` becomes a second row (issue 10, finding 6).
TEST_F(inbound_puller, a_lookup_matches_the_way_kizen_does) {
  const auto config = prepare_both();
  sql("INSERT INTO contacts (email, first_name) VALUES ('ann@example.com', 'Ann')");
  sql("INSERT INTO companies (name) VALUES ('Acme  Trading Co')");
  const auto row = scalar("SELECT id::text FROM contacts");
  const auto company_row = scalar("SELECT id::text FROM companies");
  const auto ann = add("client_client", R"([{"name":"email","value":"Ann@Example.com"}])");
  const auto acme = add("companies", R"([{"name":"name","value":" acme trading  co "}])");
  engine_harness engine(config);
  EXPECT_EQ(engine.pull("client_client").failed, 0);
  EXPECT_EQ(engine.pull("companies").failed, 0);
  EXPECT_EQ(count("SELECT count(*) FROM contacts"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM companies"), 1);
  EXPECT_EQ(key_of("client_client", ann), row);
  EXPECT_EQ(key_of("companies", acme), company_row);
  ASSERT_TRUE(engine.run_outbound_until([&] { return pending_changes() == 0; }));
  EXPECT_EQ(count("SELECT count(*) FROM kizen_sync.outbox WHERE state = 'dead'"), 0);
  EXPECT_EQ(kizen().state().live("client_client").size(), 1u);
}

// Records edited by another client while the pull walks the pages: offset pages over `updated`
// would skip the record at each page boundary (every edit moves one record to the end); keyset
// pages miss none, in one pull (issue 10, finding 2).
TEST_F(inbound_puller, a_pull_misses_no_record_while_others_are_edited_during_the_walk) {
  const auto config = prepare_both();
  std::vector<std::string> ids;
  for (int i = 0; i < 60; ++i)
    ids.push_back(add("client_client", R"([{"name":"email","value":"c)" + std::to_string(i) + R"(@example.com"}])"));
  engine_harness engine(config, [](ks::engine::engine_settings& s) { s.inbound.records.page_size = 10; });
  kizen().set_faults({.latency_ms = 20});  // a walk slow enough to be edited under
  std::atomic<bool> pulling{true};
  std::atomic<int> edits{0};
  std::thread editor([&] {
    for (int i = 0; pulling && i < 200; ++i) {
      patch("client_client", ids[static_cast<std::size_t>(i % 30)],
            R"([{"name":"first_name","value":"edit )" + std::to_string(i) + R"("}])");
      ++edits;
    }
  });
  const auto stats = engine.pull("client_client");
  pulling = false;
  editor.join();
  kizen().clear_faults();
  EXPECT_GT(edits.load(), 3) << "the walk was not edited under";
  EXPECT_EQ(stats.failed, 0);
  std::vector<std::string> missing;
  for (const auto& id : ids)
    if (key_of("client_client", id).empty()) missing.push_back(id);
  EXPECT_TRUE(missing.empty()) << missing.size() << " records skipped, e.g. " << (missing.empty() ? "" : missing[0]);
}

// The reconcile streams in keyset pages with a checkpoint: a walk stopped after a page (a
// restart) goes on from its place, and the archived records are still found (issue 10, finding 8).
TEST_F(inbound_puller, a_reconcile_goes_on_from_its_checkpoint_after_a_restart) {
  const auto config = prepare_both();
  std::vector<std::string> ids;
  for (int i = 0; i < 30; ++i)
    ids.push_back(add("client_client", R"([{"name":"email","value":"r)" + std::to_string(i) + R"(@example.com"}])"));
  const auto small_pages = [](ks::engine::engine_settings& s) { s.inbound.records.page_size = 10; };
  {
    engine_harness engine(config, small_pages);
    engine.pull("client_client");
    ASSERT_EQ(count("SELECT count(*) FROM contacts"), 30);
    archive("client_client", ids[2]);
    archive("client_client", ids[27]);
    const auto first = engine.reconcile_step("client_client", 1);
    EXPECT_FALSE(first.finished);
    EXPECT_EQ(scalar("SELECT records_seen FROM kizen_sync.reconcile_progress WHERE object = 'client_client'"), "10");
  }  // the process ends mid-walk
  engine_harness restarted(config, small_pages);
  const auto mark = request_mark();
  ks::engine::inbound_stats total;
  for (int i = 0; i < 20; ++i) {
    auto s = restarted.reconcile_step("client_client", 1);
    total += s.stats;
    if (s.finished) break;
  }
  EXPECT_EQ(total.archived, 2);
  EXPECT_EQ(count("SELECT count(*) FROM contacts"), 28);
  EXPECT_TRUE(key_of("client_client", ids[2]).empty());
  EXPECT_FALSE(key_of("client_client", ids[3]).empty());
  EXPECT_EQ(count("SELECT count(*) FROM kizen_sync.reconcile_progress"), 0) << "the walk did not end";
  // It went on from its place: the 28 live records took 2 more pages (plus the last short one),
  // not a walk from the start.
  EXPECT_LE(kizen().requests(mark).matching("POST", search_path).size(), 3u);
  EXPECT_EQ(kizen().requests(mark).matching("GET", record_path).size(), 2u);  // the two unmet, confirmed
}
