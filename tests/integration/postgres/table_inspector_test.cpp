#include "connectors/postgres/table_inspector.hpp"
#include "tests/integration/postgres/pg_test_fixture.hpp"

namespace ks::pg {
namespace {

using namespace ks::pg::testing;

class pg_table_inspector : public pg_test {
 protected:
  std::vector<std::string> inspect(const config::object_mapping& m) {
    pqxx::read_transaction tx(*conn_);
    return table_inspector().inspect(tx, table(m));
  }
};

TEST_F(pg_table_inspector, a_good_table_has_no_problems) {
  exec(customers_ddl);
  exec(deals_ddl);
  EXPECT_EQ(inspect(contacts_mapping()), columns{});
  EXPECT_EQ(inspect(deals_mapping()), columns{});  // unique constraint on a text key
}

TEST_F(pg_table_inspector, missing_table) {
  EXPECT_EQ(inspect(contacts_mapping()), columns{"object client_client: table public.customers does not exist"});
}

TEST_F(pg_table_inspector, a_view_is_not_a_table) {
  exec(customers_ddl);
  exec("CREATE VIEW public.customer_view AS SELECT * FROM public.customers");
  auto m = contacts_mapping();
  m.table = "customer_view";
  EXPECT_EQ(inspect(m), columns{"object client_client: public.customer_view is a view, not a table "
                                "(the capture trigger needs a table)"});
}

TEST_F(pg_table_inspector, each_missing_column_is_named_with_its_role) {
  exec("CREATE TABLE public.customers (ident integer PRIMARY KEY, first_name text)");
  const auto problems = inspect(contacts_mapping());
  EXPECT_EQ(problems, (columns{"object client_client: table public.customers has no column \"id\" (key)",
                               "object client_client: table public.customers has no column \"kizen_id\" "
                               "(entity_id_column)",
                               "object client_client: table public.customers has no column \"email\" (lookup)",
                               "object client_client: table public.customers has no column \"email\" "
                               "(fields[0], Kizen field email)",
                               "object client_client: table public.customers has no column \"score\" "
                               "(fields[2], Kizen field lead_score)"}));
}

TEST_F(pg_table_inspector, key_must_be_unique_on_exactly_that_column) {
  const std::string key_problem =
      "object client_client: key column \"id\" of public.customers is not unique (it needs a "
      "primary key or a unique index or constraint on exactly that column)";
  exec(
      "CREATE TABLE public.customers (id integer, tenant integer, email text, first_name text,"
      " score integer, kizen_id uuid)");
  EXPECT_EQ(inspect(contacts_mapping()), columns{key_problem});

  exec("CREATE UNIQUE INDEX customers_id_tenant ON public.customers (id, tenant)");
  EXPECT_EQ(inspect(contacts_mapping()), columns{key_problem});
  exec("CREATE UNIQUE INDEX customers_id_partial ON public.customers (id) WHERE tenant = 1");
  EXPECT_EQ(inspect(contacts_mapping()), columns{key_problem});
  exec("CREATE UNIQUE INDEX customers_id_expr ON public.customers ((id + 0))");
  EXPECT_EQ(inspect(contacts_mapping()), columns{key_problem});
  exec("CREATE INDEX customers_id_plain ON public.customers (id)");
  EXPECT_EQ(inspect(contacts_mapping()), columns{key_problem});

  exec("CREATE UNIQUE INDEX customers_id ON public.customers (id)");
  EXPECT_EQ(inspect(contacts_mapping()), columns{});
}

TEST_F(pg_table_inspector, entity_id_column_must_hold_a_uuid) {
  exec(
      "CREATE TABLE public.customers (id integer PRIMARY KEY, email text, first_name text,"
      " score integer, kizen_id integer)");
  EXPECT_EQ(inspect(contacts_mapping()),
            columns{"object client_client: entity_id column \"kizen_id\" of public.customers has "
                    "type integer; it must be uuid or text"});
  exec("ALTER TABLE public.customers ALTER COLUMN kizen_id TYPE text");
  EXPECT_EQ(inspect(contacts_mapping()), columns{});
  exec("CREATE DOMAIN kizen_ref AS uuid");
  exec("ALTER TABLE public.customers ALTER COLUMN kizen_id TYPE kizen_ref USING NULL");
  EXPECT_EQ(inspect(contacts_mapping()), columns{});
}

TEST_F(pg_table_inspector, messages_carry_the_config_location_and_quote_odd_names) {
  exec("CREATE SCHEMA \"My App\"");
  exec("CREATE TABLE \"My App\".\"Customer Table\" (\"Customer ID\" text PRIMARY KEY)");
  config::object_mapping m;
  m.object = "client_client";
  m.table_schema = "My App";
  m.table = "Customer Table";
  m.key = "Customer ID";
  m.where = {"sync.yaml", 12, 5};
  m.fields = {field("E-Mail", "email")};
  m.fields[0].where = {"sync.yaml", 18, 9};
  EXPECT_EQ(inspect(m), columns{"sync.yaml:18:9: object client_client: table \"My App\".\"Customer "
                                "Table\" has no column \"E-Mail\" (fields[0], Kizen field email)"});
  m.table = "Missing";
  EXPECT_EQ(inspect(m), columns{"sync.yaml:12:5: object client_client: table \"My App\".\"Missing\" "
                                "does not exist"});
}

}  // namespace
}  // namespace ks::pg
