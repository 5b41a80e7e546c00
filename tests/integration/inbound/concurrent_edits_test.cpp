// A pull while the database side is busy with the same record: a user's transaction still open on
// the row (issue 10, finding 3), a row whose insert is still queued (finding 4). The end state is
// what the conflict policy says, the same on both sides, with nothing left to repair it later.
#include "tests/integration/inbound/inbound_fixture.hpp"

#include <future>

using namespace ks::test;
using namespace ks::test::inbound;
namespace json = boost::json;

namespace {

class concurrent_edits : public inbound_test {
 protected:
  std::string prepare_contacts(const object_options& contacts = {}) {
    config_options o;
    o.objects_yaml = companies_yaml() + contacts_yaml(contacts);
    return prepare(o);
  }
  std::optional<std::string> kizen_first_name(const std::string& id) {
    const auto state = kizen().state();
    const auto* rec = state.find(id);
    return rec ? rec->text("first_name") : std::nullopt;
  }
  // Some session waits for a row lock (the pull, behind the user's transaction).
  bool a_lock_is_awaited() {
    return count(
               "SELECT count(*) FROM pg_catalog.pg_stat_activity"
               " WHERE datname = current_database() AND wait_event_type = 'Lock'") > 0;
  }
};

}  // namespace

TEST_F(concurrent_edits, a_pull_waits_for_a_users_open_transaction_and_the_sides_converge) {
  const auto config = prepare_contacts({.conflict = "database_wins"});
  const auto id = add("client_client", R"([{"name":"email","value":"ann@example.com"},
      {"name":"first_name","value":"Ann"}])");
  engine_harness engine(config);
  engine.pull("client_client");
  const auto key = key_of("client_client", id);
  ASSERT_FALSE(key.empty());

  // A user's transaction changes the row and is still open while Kizen's edit is pulled.
  pqxx::connection user(db_url());
  pqxx::work user_tx(user);
  user_tx.exec("UPDATE contacts SET first_name = 'User' WHERE id = " + key);
  patch("client_client", id, R"([{"name":"first_name","value":"Kizen"}])");
  auto pulled = std::async(std::launch::async, [&] { return engine.pull("client_client"); });
  ASSERT_TRUE(wait_until("the pull waits for the row", [&] { return a_lock_is_awaited(); }));
  user_tx.commit();
  const auto stats = pulled.get();
  EXPECT_EQ(stats.failed, 0);

  // database_wins: the user's committed value stays, and goes to Kizen.
  EXPECT_EQ(scalar("SELECT first_name FROM contacts WHERE id = " + key), "User") << "the pull overwrote it";
  ASSERT_TRUE(engine.run_outbound_until([&] { return pending_changes() == 0; }));
  EXPECT_EQ(kizen_first_name(id), std::optional<std::string>("User"));
  expect_in_sync("client_client", contacts_as_kizen_sql);
  engine.pull("client_client");
  EXPECT_EQ(scalar("SELECT first_name FROM contacts WHERE id = " + key), "User");
}

TEST_F(concurrent_edits, a_row_whose_insert_is_queued_takes_kizens_newer_values_and_its_insert_sends_them) {
  const auto config = prepare_contacts({.conflict = "newest_wins"});
  // The row is inserted here first (its insert still queued), then the same person is created in
  // Kizen with another first name: Kizen's is newer.
  sql("INSERT INTO contacts (email, first_name, last_name) VALUES ('bo@example.com', 'Local', 'Lee')");
  const auto key = scalar("SELECT id::text FROM contacts WHERE email = 'bo@example.com'");
  ASSERT_EQ(pending_changes(), 1);
  const auto id = add("client_client", R"([{"name":"email","value":"bo@example.com"},
      {"name":"first_name","value":"Kizen"}])");
  engine_harness engine(config);
  const auto stats = engine.pull("client_client");
  EXPECT_EQ(stats.failed, 0);
  EXPECT_EQ(key_of("client_client", id), key) << "the row was not linked by lookup";
  EXPECT_EQ(scalar("SELECT first_name FROM contacts WHERE id = " + key), "Kizen");

  // The queued insert goes out now: it must not revert Kizen's newer first name.
  ASSERT_TRUE(engine.run_outbound_until([&] { return pending_changes() == 0; }));
  EXPECT_EQ(kizen_first_name(id), std::optional<std::string>("Kizen")) << "the stale insert image reverted Kizen";
  EXPECT_EQ(kizen().state().live("client_client").size(), 1u);
  expect_in_sync("client_client", contacts_as_kizen_sql);  // every field, e.g. last_name (Kizen's blank)
  engine.pull("client_client");
  EXPECT_EQ(scalar("SELECT first_name FROM contacts WHERE id = " + key), "Kizen");
}

// A pull's own writes are not captured, but what they set off is: here an ON DELETE CASCADE from
// a company the pull deletes (on_archive: delete) to a contact, which must then be archived in
// Kizen too (issue 10, finding 7).
TEST_F(concurrent_edits, a_cascade_set_off_by_a_pull_is_captured_for_kizen) {
  const auto config = prepare_contacts();
  sql("ALTER TABLE contacts ADD FOREIGN KEY (company_id) REFERENCES companies (id) ON DELETE CASCADE");
  const auto company = add("companies", R"([{"name":"name","value":"Gone Inc"}])");
  const auto contact = add("client_client", R"([{"name":"email","value":"gone@example.com"},
      {"name":"company","value":{"id":")" + company +
                                                R"("}}])");
  engine_harness engine(config);
  engine.pull("client_client");  // pulls the company first
  const auto contact_key = key_of("client_client", contact);
  ASSERT_FALSE(contact_key.empty());
  ASSERT_EQ(pending_changes(), 0) << "the pull's own writes were captured";

  archive("companies", company);
  EXPECT_EQ(engine.reconcile("companies").archived, 1);
  EXPECT_EQ(count("SELECT count(*) FROM contacts WHERE id = " + contact_key), 0) << "no cascade";
  EXPECT_EQ(count("SELECT count(*) FROM kizen_sync.outbox WHERE state = 'pending' AND object = 'companies'"), 0)
      << "the pull's own delete was captured";
  EXPECT_EQ(scalar("SELECT op FROM kizen_sync.outbox WHERE state = 'pending' AND object = 'client_client' AND key = '" +
                   contact_key + "'"),
            "delete")
      << "the cascaded delete was not captured";
  ASSERT_TRUE(engine.run_outbound_until([&] { return pending_changes() == 0; }));
  const auto state = kizen().state();
  ASSERT_NE(state.find(contact), nullptr);
  EXPECT_TRUE(state.find(contact)->archived);
}
