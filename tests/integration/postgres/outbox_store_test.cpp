// The outbox as a work queue, against a real PostgreSQL with the real capture trigger: claiming
// respects per-key order and dead letters, a key's lease excludes every other claim until it ends
// (whatever happens to the session that took it) and fences what its holder records, and every
// state transition does what the engine relies on.
#include "connectors/postgres/outbox_store.hpp"

#include "connectors/postgres/key_lease.hpp"

#include "connectors/postgres/migrator.hpp"
#include "tests/support/scratch_database.hpp"
#include "tests/support/table_mappings.hpp"

#include <gtest/gtest.h>
#include <pqxx/pqxx>
#include <thread>

using namespace ks::pg;
using ks::key_ref;
using ks::test::table;
using ks::test::tables;

namespace {

class outbox_store_test : public ::testing::Test {
 protected:
  void SetUp() override {
    pqxx::connection c(db_.url());
    pqxx::nontransaction(c).exec0(
        "CREATE TABLE customers (id int PRIMARY KEY, email text, amount numeric, kizen_id uuid)");
    ks::config::object_mapping m;
    m.object = "client_client";
    m.table = "customers";
    m.key = "id";
    m.entity_id_column = "kizen_id";
    m.lookup = "email";
    for (const char* col : {"email", "amount"}) {
      ks::config::field_mapping f;
      f.column = col;
      f.field = col;
      m.fields.push_back(f);
    }
    auto r = migrator().migrate(c, "kizen_sync", tables({m}));
    ASSERT_TRUE(r) << r.error();
  }

  void sql(const std::string& statement) {
    pqxx::connection c(db_.url());
    pqxx::work tx(c);
    tx.exec0(statement);
    tx.commit();
  }

  template <class F>
  auto in_tx(F f) {
    pqxx::connection c(db_.url());
    pqxx::work tx(c);
    auto result = f(tx);
    tx.commit();
    return result;
  }

  std::string state_of(std::int64_t id) {
    return in_tx([&](pqxx::work& tx) {
      return tx.exec_params1("SELECT state FROM kizen_sync.outbox WHERE id = $1", id)[0].as<std::string>();
    });
  }

  // The keys a claim would take now, earliest due first (the claim is rolled back).
  std::vector<key_ref> due_keys(int limit, const std::vector<key_ref>& skip,
                                const std::vector<std::string>& objects) {
    pqxx::connection c(db_.url());
    pqxx::work tx(c);
    std::vector<key_ref> out;
    for (const auto& l : leases_.claim(tx, limit, objects, skip, std::chrono::seconds(30), "test")) out.push_back(l.key);
    return out;
  }

  ks::test::scratch_database db_;
  outbox_store store_{"kizen_sync"};
  key_lease leases_{"kizen_sync"};
  const std::vector<std::string> objects_{"client_client", "companies"};
};

}  // namespace

TEST_F(outbox_store_test, due_keys_lists_each_key_once_oldest_first) {
  sql("INSERT INTO customers VALUES (1, 'a@x', 1), (2, 'b@x', 2)");
  sql("UPDATE customers SET email = 'a2@x' WHERE id = 1");
  auto keys = due_keys(10, {}, objects_);
  EXPECT_EQ(keys, (std::vector<key_ref>{{"client_client", "1"}, {"client_client", "2"}}));
  auto skipped = due_keys(10, {{"client_client", "1"}}, objects_);
  EXPECT_EQ(skipped, (std::vector<key_ref>{{"client_client", "2"}}));
  auto limited = due_keys(1, {}, objects_);
  EXPECT_EQ(limited.size(), 1u);
}

TEST_F(outbox_store_test, pending_changes_come_in_order_with_exact_numbers) {
  sql("INSERT INTO customers VALUES (1, 'a@x', 12345678901234567890.123456789)");
  sql("UPDATE customers SET email = 'b@x' WHERE id = 1");
  auto changes = in_tx([&](pqxx::work& tx) { return store_.pending_changes(tx, {"client_client", "1"}, 100); });
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_LT(changes[0].id, changes[1].id);
  EXPECT_EQ(changes[0].op, change_op::insert);
  EXPECT_EQ(changes[1].op, change_op::update);
  EXPECT_EQ(changes[1].changed_columns, (std::vector<std::string>{"email"}));
  EXPECT_EQ(changes[0].new_row.at("amount"), "12345678901234567890.123456789");  // no double rounding
  EXPECT_EQ(changes[0].new_row.at("id"), "1");
  EXPECT_EQ(changes[1].old_row.at("email"), "a@x");
  EXPECT_EQ(changes[1].new_row.at("email"), "b@x");
}

TEST_F(outbox_store_test, a_dead_change_blocks_its_key_until_replayed) {
  sql("INSERT INTO customers VALUES (1, 'a@x', 1), (2, 'b@x', 2)");
  sql("UPDATE customers SET email = 'a2@x' WHERE id = 1");
  const auto head = in_tx([&](pqxx::work& tx) { return store_.pending_changes(tx, {"client_client", "1"}, 1); });
  in_tx([&](pqxx::work& tx) {
    store_.mark_dead(tx, {head[0].id}, 1, "400: email: Enter a valid email address.", 400);
    return 0;
  });
  auto keys = due_keys(10, {}, objects_);
  EXPECT_EQ(keys, (std::vector<key_ref>{{"client_client", "2"}}));  // key 1's update waits
  EXPECT_TRUE(in_tx([&](pqxx::work& tx) { return store_.pending_changes(tx, {"client_client", "1"}, 10); }).empty());

  auto dead = in_tx([&](pqxx::work& tx) { return store_.dead_letters(tx, std::nullopt, 10); });
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].http_status, 400);
  EXPECT_EQ(dead[0].last_error, "400: email: Enter a valid email address.");
  auto status = in_tx([&](pqxx::work& tx) { return store_.status(tx); });
  ASSERT_EQ(status.size(), 1u);
  EXPECT_EQ(in_tx([&](pqxx::work& tx) { return store_.open_state(tx, {"client_client", "1"}); }), outbox_state::dead);
  auto backlog = in_tx([&](pqxx::work& tx) { return store_.backlog(tx); });
  ASSERT_EQ(backlog.size(), 1u);
  EXPECT_EQ(backlog[0].pending, 2);
  EXPECT_EQ(backlog[0].dead, 1);
  EXPECT_EQ(status[0].dead, 1);
  EXPECT_EQ(status[0].blocked, 1);
  EXPECT_EQ(status[0].pending, 2);

  EXPECT_EQ(in_tx([&](pqxx::work& tx) { return store_.replay(tx, std::nullopt, {head[0].id}); }), 1);
  EXPECT_EQ(in_tx([&](pqxx::work& tx) { return store_.pending_changes(tx, {"client_client", "1"}, 10); }).size(), 2u);
}

TEST_F(outbox_store_test, retries_wait_for_their_time_and_keep_order) {
  sql("INSERT INTO customers VALUES (1, 'a@x', 1)");
  sql("UPDATE customers SET email = 'a2@x' WHERE id = 1");
  const auto changes = in_tx([&](pqxx::work& tx) { return store_.pending_changes(tx, {"client_client", "1"}, 10); });
  in_tx([&](pqxx::work& tx) {
    store_.schedule_retry(tx, {changes[0].id}, 1, std::chrono::hours(1), "503", 503);
    return 0;
  });
  // The head backs off, so the whole key waits (the later update must not overtake it).
  EXPECT_TRUE(due_keys(10, {}, objects_).empty());
  EXPECT_TRUE(in_tx([&](pqxx::work& tx) { return store_.pending_changes(tx, {"client_client", "1"}, 10); }).empty());
  in_tx([&](pqxx::work& tx) {
    store_.defer(tx, {changes[0].id}, std::chrono::milliseconds(0), "waiting");
    return 0;
  });
  auto again = in_tx([&](pqxx::work& tx) { return store_.pending_changes(tx, {"client_client", "1"}, 10); });
  ASSERT_EQ(again.size(), 2u);
  EXPECT_EQ(again[0].attempts, 1);  // defer consumed no attempt
}

TEST_F(outbox_store_test, mark_done_touches_only_pending_rows) {
  sql("INSERT INTO customers VALUES (1, 'a@x', 1)");
  const auto c = in_tx([&](pqxx::work& tx) { return store_.pending_changes(tx, {"client_client", "1"}, 10); });
  const std::string entity = "0f8fad5b-d9cb-469f-a165-70867728950e";
  EXPECT_EQ(in_tx([&](pqxx::work& tx) { return store_.mark_done(tx, {c[0].id}, entity, std::nullopt); }), 1);
  EXPECT_EQ(in_tx([&](pqxx::work& tx) { return store_.mark_done(tx, {c[0].id}, entity, std::nullopt); }), 0);
  EXPECT_EQ(state_of(c[0].id), "done");
  EXPECT_TRUE(due_keys(10, {}, objects_).empty());
}

TEST_F(outbox_store_test, a_lease_outlives_its_session_and_fences_what_its_holder_records) {
  sql("INSERT INTO customers VALUES (1, 'a@x', 1), (2, 'b@x', 2)");
  auto first = std::make_unique<pqxx::connection>(db_.url());
  leased_key mine;
  {
    pqxx::work tx(*first);
    const auto got = leases_.claim(tx, 1, objects_, {}, std::chrono::milliseconds(1500), "first");
    ASSERT_EQ(got.size(), 1u);
    mine = got[0];
    tx.commit();
  }
  EXPECT_EQ(mine.key, (key_ref{"client_client", "1"}));  // the earliest change first
  first.reset();  // the session ends (a lost connection, kill -9): the lease does not end with it
  pqxx::connection second(db_.url());
  {
    pqxx::work tx(second);
    const auto got = leases_.claim(tx, 10, objects_, {}, std::chrono::seconds(30), "second");
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].key, (key_ref{"client_client", "2"})) << "a leased key was claimed again";
    auto status = store_.status(tx);
    ASSERT_EQ(status.size(), 1u);
    EXPECT_EQ(status[0].in_flight_keys, 2);
    tx.commit();
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1600));  // the first lease runs out
  leased_key theirs;
  {
    pqxx::work tx(second);
    const auto got = leases_.claim(tx, 10, objects_, {}, std::chrono::seconds(30), "second");
    ASSERT_EQ(got.size(), 1u);
    theirs = got[0];
    tx.commit();
  }
  EXPECT_EQ(theirs.key, mine.key);
  EXPECT_GT(theirs.epoch, mine.epoch);
  {
    // The first holder comes back with a result: it may not record it.
    pqxx::work tx(second);
    EXPECT_FALSE(leases_.settle(tx, mine));
    EXPECT_TRUE(leases_.settle(tx, theirs));
    tx.commit();
  }
  EXPECT_EQ(due_keys(10, {}, objects_), (std::vector<key_ref>{{"client_client", "1"}})) << "released, still queued";
}

TEST_F(outbox_store_test, outbox_keys_follow_every_change_of_the_outbox) {
  const auto keys = [&] {
    return in_tx([&](pqxx::work& tx) {
      std::vector<std::string> out;
      for (const auto& row : tx.exec("SELECT key || ':' || CASE WHEN due_at = 'infinity' THEN 'dead' ELSE 'due' END"
                                     " FROM kizen_sync.outbox_keys ORDER BY key"))
        out.push_back(row[0].as<std::string>());
      return out;
    });
  };
  sql("INSERT INTO customers VALUES (1, 'a@x', 1), (2, 'b@x', 2)");
  sql("UPDATE customers SET email = 'a2@x' WHERE id = 1");
  EXPECT_EQ(keys(), (std::vector<std::string>{"1:due", "2:due"}));
  const auto one = in_tx([&](pqxx::work& tx) { return store_.pending_changes(tx, {"client_client", "1"}, 10); });
  ASSERT_EQ(one.size(), 2u);
  in_tx([&](pqxx::work& tx) { return store_.mark_done(tx, {one[0].id}, std::nullopt, std::nullopt); });
  EXPECT_EQ(keys(), (std::vector<std::string>{"1:due", "2:due"})) << "key 1 still has its update";
  in_tx([&](pqxx::work& tx) {
    store_.mark_dead(tx, {one[1].id}, 1, "400", 400);
    return 0;
  });
  EXPECT_EQ(keys(), (std::vector<std::string>{"1:dead", "2:due"}));
  EXPECT_EQ(in_tx([&](pqxx::work& tx) { return store_.replay(tx, std::nullopt, {one[1].id}); }), 1);
  EXPECT_EQ(keys(), (std::vector<std::string>{"1:due", "2:due"}));
  in_tx([&](pqxx::work& tx) { return store_.mark_done(tx, {one[1].id}, std::nullopt, std::nullopt); });
  EXPECT_EQ(keys(), (std::vector<std::string>{"2:due"})) << "a key with nothing left goes";
  sql("DELETE FROM kizen_sync.outbox WHERE key = '2'");
  EXPECT_TRUE(keys().empty());
}

TEST_F(outbox_store_test, a_change_committed_while_its_key_is_recorded_is_never_dropped) {
  // The persist of key 1's last change and a user's new change of key 1 race: whichever order
  // they commit in, the key keeps its row while it has a change left.
  sql("INSERT INTO customers VALUES (1, 'a@x', 1)");
  const auto c = in_tx([&](pqxx::work& tx) { return store_.pending_changes(tx, {"client_client", "1"}, 10); });
  pqxx::connection user(db_.url()), daemon(db_.url());
  pqxx::work user_tx(user);
  user_tx.exec0("UPDATE customers SET email = 'new@x' WHERE id = 1");  // queued, not committed
  std::thread persist([&] {
    pqxx::work tx(daemon);
    store_.mark_done(tx, {c[0].id}, std::nullopt, std::nullopt);  // waits for the user's key row
    tx.commit();
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  user_tx.commit();
  persist.join();
  EXPECT_EQ(due_keys(10, {}, objects_), (std::vector<key_ref>{{"client_client", "1"}})) << "the new change was lost";
}

TEST_F(outbox_store_test, note_attempt_enqueue_and_purge) {
  sql("INSERT INTO customers VALUES (1, 'a@x', 1)");
  auto c = in_tx([&](pqxx::work& tx) { return store_.pending_changes(tx, {"client_client", "1"}, 10); });
  in_tx([&](pqxx::work& tx) {
    store_.note_attempt(tx, {c[0].id}, std::chrono::milliseconds(60'000));
    return 0;
  });
  // One attempt counted, and not claimable before search can show what the add may have created.
  EXPECT_TRUE(in_tx([&](pqxx::work& tx) {
    return tx
        .exec1(
            "SELECT attempts = 1 AND next_attempt_at > now() + interval '50 seconds' FROM kizen_sync.outbox"
            " WHERE id = " +
            std::to_string(c[0].id))[0]
        .as<bool>();
  }));
  sql("UPDATE kizen_sync.outbox SET next_attempt_at = now() WHERE id = " + std::to_string(c[0].id));
  c = in_tx([&](pqxx::work& tx) { return store_.pending_changes(tx, {"client_client", "1"}, 10); });
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].attempts, 1);

  const auto id = in_tx([&](pqxx::work& tx) {
    return store_.enqueue(tx, "companies", "7", change_op::insert, {"name"}, boost::json::object{{"name", "Acme"}});
  });
  auto queued = in_tx([&](pqxx::work& tx) { return store_.pending_changes(tx, {"companies", "7"}, 10); });
  ASSERT_EQ(queued.size(), 1u);
  EXPECT_EQ(queued[0].id, id);
  EXPECT_EQ(queued[0].new_row.at("name"), "Acme");
  EXPECT_EQ(in_tx([&](pqxx::work& tx) { return store_.open_state(tx, {"companies", "7"}); }), outbox_state::pending);
  EXPECT_EQ(in_tx([&](pqxx::work& tx) { return store_.open_state(tx, {"companies", "8"}); }), std::nullopt);
  // Only configured objects are claimed.
  EXPECT_EQ(due_keys(10, {}, {"companies"}),
            (std::vector<key_ref>{{"companies", "7"}}));

  in_tx([&](pqxx::work& tx) { return store_.mark_done(tx, {c[0].id, id}, std::nullopt, std::nullopt); });
  sql("UPDATE kizen_sync.outbox SET applied_at = now() - interval '8 days' WHERE id = " + std::to_string(id));
  EXPECT_EQ(in_tx([&](pqxx::work& tx) { return store_.purge_done(tx, std::chrono::hours(24 * 7), 100); }), 1);
  EXPECT_EQ(in_tx([&](pqxx::work& tx) { return tx.exec1("SELECT count(*) FROM kizen_sync.outbox")[0].as<int>(); }),
            1);  // the recent done row stays for audit
}

TEST_F(outbox_store_test, concurrent_claimers_skip_each_others_rows) {
  sql("INSERT INTO customers SELECT g, 'u' || g || '@x', g FROM generate_series(1, 20) g");
  pqxx::connection a(db_.url()), b(db_.url());
  pqxx::work ta(a), tb(b);
  const auto first = leases_.claim(ta, 10, objects_, {}, std::chrono::seconds(30), "a");
  const auto second = leases_.claim(tb, 20, objects_, {}, std::chrono::seconds(30), "b");  // does not block on ta
  EXPECT_EQ(first.size(), 10u);
  EXPECT_EQ(second.size(), 10u);
  for (const auto& k : second)
    for (const auto& f : first) EXPECT_NE(k.key, f.key);
}
