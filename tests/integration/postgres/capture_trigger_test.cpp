#include "connectors/postgres/capture_trigger.hpp"
#include "connectors/postgres/daemon_write.hpp"
#include "connectors/postgres/migrator.hpp"
#include "tests/integration/postgres/pg_test_fixture.hpp"

namespace ks::pg {
namespace {

using namespace ks::pg::testing;
namespace json = boost::json;

class pg_capture : public pg_test {
 protected:
  void SetUp() override {
    exec(customers_ddl);
    exec(deals_ddl);
    auto r = migrator().migrate(*conn_, "kizen_sync", tables({contacts_mapping(), deals_mapping()}));
    ASSERT_TRUE(r.has_value()) << r.error();
  }
};

TEST_F(pg_capture, insert_captures_all_captured_columns_and_only_mapped_values) {
  exec(
      "INSERT INTO public.customers VALUES (1, 'a@x.io', 'Ann', 7, 'hunter2',"
      " '5f0c3a5e-8d7b-4c1e-9a51-3b2f6d7e8a90')");
  const auto rows = read_outbox(*conn_);
  ASSERT_EQ(rows.size(), 1u);
  const auto& r = rows[0];
  EXPECT_EQ(r.object, "client_client");
  EXPECT_EQ(r.key, "1");
  EXPECT_EQ(r.op, "insert");
  EXPECT_EQ(r.changed_columns, (columns{"id", "email", "first_name"}));
  // score is Kizen's, secret is unmapped: neither leaves the table. kizen_id rides along.
  EXPECT_EQ(r.new_row, json::parse(R"({"id":1,"email":"a@x.io","first_name":"Ann",
                                        "kizen_id":"5f0c3a5e-8d7b-4c1e-9a51-3b2f6d7e8a90"})"));
  EXPECT_TRUE(r.old_row.is_null());
  EXPECT_EQ(r.state, "pending");
  EXPECT_EQ(r.attempts, 0);
  EXPECT_TRUE(r.has_txid);
}

TEST_F(pg_capture, update_lists_the_changed_captured_columns_with_both_images) {
  exec("INSERT INTO public.customers VALUES (1, 'a@x.io', 'Ann', 7, 'hunter2', NULL)");
  exec("UPDATE public.customers SET first_name = 'Anna', secret = 'x', score = 9 WHERE id = 1");
  exec("UPDATE public.customers SET email = NULL, first_name = 'Anne' WHERE id = 1");
  const auto rows = read_outbox(*conn_);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1].op, "update");
  EXPECT_EQ(rows[1].key, "1");
  EXPECT_EQ(rows[1].changed_columns, (columns{"first_name"}));
  EXPECT_EQ(rows[1].old_row, json::parse(R"({"id":1,"email":"a@x.io","first_name":"Ann","kizen_id":null})"));
  EXPECT_EQ(rows[1].new_row, json::parse(R"({"id":1,"email":"a@x.io","first_name":"Anna","kizen_id":null})"));
  EXPECT_EQ(rows[2].changed_columns, (columns{"email", "first_name"}));
  EXPECT_EQ(rows[2].new_row, json::parse(R"({"id":1,"email":null,"first_name":"Anne","kizen_id":null})"));
}

TEST_F(pg_capture, updates_of_unmapped_or_kizen_owned_columns_only_are_skipped) {
  exec("INSERT INTO public.customers VALUES (1, 'a@x.io', 'Ann', 7, 'hunter2', NULL)");
  exec("UPDATE public.customers SET secret = 'changed' WHERE id = 1");            // unmapped
  exec("UPDATE public.customers SET score = 10 WHERE id = 1");                    // from_kizen
  exec("UPDATE public.customers SET kizen_id = gen_random_uuid() WHERE id = 1");  // identity only
  exec("UPDATE public.customers SET first_name = 'Ann' WHERE id = 1");            // same value
  exec("UPDATE public.deals SET note = 'n' WHERE code = 'none'");                 // no rows
  const auto rows = read_outbox(*conn_);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].op, "insert");
}

TEST_F(pg_capture, delete_captures_the_old_image) {
  exec("INSERT INTO public.deals VALUES ('D-1', 'Big', 12.50, 'private note')");
  exec("DELETE FROM public.deals WHERE code = 'D-1'");
  const auto rows = read_outbox(*conn_);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].object, "deals");
  EXPECT_EQ(rows[0].changed_columns, (columns{"code", "name", "amount"}));
  EXPECT_EQ(rows[1].op, "delete");
  EXPECT_EQ(rows[1].key, "D-1");
  EXPECT_TRUE(rows[1].changed_columns.empty());
  EXPECT_TRUE(rows[1].new_row.is_null());
  EXPECT_EQ(rows[1].old_row, json::parse(R"({"code":"D-1","name":"Big","amount":12.50})"));
}

TEST_F(pg_capture, the_rows_the_daemon_names_are_not_captured_and_nothing_else) {
  {
    pqxx::work tx(*conn_);
    ks::pg::daemon_write(tx);
    ks::pg::daemon_row(tx, "client_client", "1");
    tx.exec("INSERT INTO public.customers (id, email) VALUES (1, 'a@x.io')");
    tx.exec("UPDATE public.customers SET first_name = 'Ann' WHERE id = 1");
    ks::pg::daemon_row(tx, "deals", "D-1");
    tx.exec("INSERT INTO public.deals (code) VALUES ('D-1')");
    tx.exec("DELETE FROM public.deals WHERE code = 'D-1'");
    tx.commit();
  }
  EXPECT_TRUE(read_outbox(*conn_).empty());

  // Rows it does not name are captured though the transaction applies Kizen's changes: another
  // key, another object (what a cascade or an application trigger writes).
  {
    pqxx::work tx(*conn_);
    ks::pg::daemon_write(tx);
    ks::pg::daemon_row(tx, "client_client", "1");
    tx.exec("INSERT INTO public.customers (id, email) VALUES (2, 'b@x.io')");
    tx.exec("INSERT INTO public.deals (code) VALUES ('D-2')");
    tx.commit();
  }
  {
    const auto rows = read_outbox(*conn_);
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].object + ":" + rows[0].key, "client_client:2");
    EXPECT_EQ(rows[1].object + ":" + rows[1].key, "deals:D-2");
  }
  exec("DELETE FROM kizen_sync.outbox");

  // An insert keyed by the column's default is named by its object alone.
  {
    pqxx::work tx(*conn_);
    ks::pg::daemon_write(tx);
    ks::pg::daemon_row(tx, "deals", "");
    tx.exec("INSERT INTO public.deals (code) VALUES ('D-3')");
    tx.exec("UPDATE public.deals SET name = 'x' WHERE code = 'D-3'");  // not named: captured
    tx.commit();
  }
  {
    const auto rows = read_outbox(*conn_);
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].op, "update");
  }
  exec("DELETE FROM kizen_sync.outbox");

  // SET LOCAL ended with that transaction: the next change is captured again.
  exec("UPDATE public.customers SET first_name = 'Anna' WHERE id = 1");
  {
    pqxx::work tx(*conn_);
    tx.exec("SET LOCAL kizen_sync.applying = off");
    tx.exec("UPDATE public.customers SET first_name = 'Anne' WHERE id = 1");
    tx.commit();
  }
  const auto rows = read_outbox(*conn_);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].op, "update");
  EXPECT_EQ(rows[0].changed_columns, (columns{"first_name"}));
}

TEST_F(pg_capture, key_change_is_a_delete_of_the_old_key_then_an_insert_of_the_new) {
  exec("INSERT INTO public.customers VALUES (1, 'a@x.io', 'Ann', 7, 'hunter2', NULL)");
  exec("UPDATE public.customers SET id = 2, first_name = 'Anna' WHERE id = 1");
  const auto rows = read_outbox(*conn_);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1].op, "delete");
  EXPECT_EQ(rows[1].key, "1");
  EXPECT_TRUE(rows[1].new_row.is_null());
  EXPECT_EQ(rows[1].old_row, json::parse(R"({"id":1,"email":"a@x.io","first_name":"Ann","kizen_id":null})"));
  EXPECT_EQ(rows[2].op, "insert");
  EXPECT_EQ(rows[2].key, "2");
  EXPECT_EQ(rows[2].changed_columns, (columns{"id", "email", "first_name"}));
  EXPECT_EQ(rows[2].new_row, json::parse(R"({"id":2,"email":"a@x.io","first_name":"Anna","kizen_id":null})"));
  EXPECT_TRUE(rows[2].old_row.is_null());
}

TEST_F(pg_capture, rows_without_a_key_stay_out_until_they_get_one) {
  exec("INSERT INTO public.deals (code, name) VALUES ('D-1', 'x')");
  exec("ALTER TABLE public.deals ALTER COLUMN code DROP NOT NULL");
  exec("INSERT INTO public.deals (code, name) VALUES (NULL, 'draft')");
  exec("UPDATE public.deals SET name = 'draft 2' WHERE code IS NULL");
  exec("UPDATE public.deals SET code = 'D-2' WHERE name = 'draft 2'");
  exec("UPDATE public.deals SET code = NULL WHERE code = 'D-1'");
  const auto rows = read_outbox(*conn_);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1].op, "insert");
  EXPECT_EQ(rows[1].key, "D-2");
  EXPECT_EQ(rows[2].op, "delete");
  EXPECT_EQ(rows[2].key, "D-1");
}

TEST_F(pg_capture, changes_commit_and_roll_back_with_their_transaction) {
  {
    pqxx::work tx(*conn_);
    tx.exec("INSERT INTO public.customers (id, email) VALUES (1, 'a@x.io')");
    // no commit: rolled back
  }
  EXPECT_TRUE(read_outbox(*conn_).empty());
  {
    pqxx::work tx(*conn_);
    tx.exec("INSERT INTO public.customers (id, email) VALUES (1, 'a@x.io')");
    tx.exec("INSERT INTO public.customers (id, email) VALUES (2, 'b@x.io')");
    tx.commit();
  }
  const auto rows = read_outbox(*conn_);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].key, "1");
  EXPECT_EQ(rows[1].key, "2");
  EXPECT_EQ(scalar("SELECT count(DISTINCT txid) FROM kizen_sync.outbox"), 1);
}

TEST_F(pg_capture, application_roles_need_no_privileges_on_the_sync_schema) {
  const std::string role = "ks_app_" + db_.name();
  exec("CREATE ROLE " + role + " NOLOGIN");
  exec("GRANT SELECT, INSERT, UPDATE, DELETE ON public.customers TO " + role);
  {
    pqxx::work tx(*conn_);
    tx.exec("SET LOCAL ROLE " + role);
    tx.exec("INSERT INTO public.customers (id, email) VALUES (1, 'a@x.io')");
    tx.exec("UPDATE public.customers SET first_name = 'Ann' WHERE id = 1");
    tx.commit();
  }
  {
    pqxx::work tx(*conn_);
    tx.exec("SET LOCAL ROLE " + role);
    EXPECT_THROW(tx.exec("SELECT count(*) FROM kizen_sync.outbox"), pqxx::insufficient_privilege);
  }
  exec("DROP OWNED BY " + role);
  exec("DROP ROLE " + role);
  EXPECT_EQ(read_outbox(*conn_).size(), 2u);
}

TEST_F(pg_capture, notifications_arrive_on_commit_through_the_change_listener) {
  listener_harness listener(db_.url(), notify_channel("kizen_sync"));
  listener.expect_connected();

  exec("INSERT INTO public.customers (id, email) VALUES (1, 'a@x.io')");
  EXPECT_EQ(listener.next(), "client_client");

  // A skipped update sends nothing: the next notification is the one of the deal.
  exec("UPDATE public.customers SET secret = 'x' WHERE id = 1");
  exec("INSERT INTO public.deals (code) VALUES ('D-1')");
  EXPECT_EQ(listener.next(), "deals");

  // Notifications are sent at commit: the transaction committing later notifies later.
  pqxx::connection other(db_.url());
  pqxx::work first(other);
  first.exec("UPDATE public.customers SET first_name = 'Ann' WHERE id = 1");
  exec("UPDATE public.deals SET name = 'n' WHERE code = 'D-1'");
  first.commit();
  EXPECT_EQ(listener.next(), "deals");
  EXPECT_EQ(listener.next(), "client_client");
  EXPECT_TRUE(listener.stop());
}

}  // namespace
}  // namespace ks::pg
