// row_reader and row_writer against a real table: the image matches what the capture trigger writes, and the
// entity id write-back is not captured when the session says it is the daemon's own write.
#include "connectors/postgres/row_reader.hpp"
#include "connectors/postgres/row_writer.hpp"

#include "connectors/postgres/migrator.hpp"
#include "connectors/postgres/outbox_store.hpp"
#include "tests/support/scratch_database.hpp"
#include "tests/support/table_mappings.hpp"

#include <gtest/gtest.h>
#include <pqxx/pqxx>

using namespace ks::pg;
using ks::test::table;
using ks::test::tables;

namespace {

ks::config::object_mapping companies() {
  ks::config::object_mapping m;
  m.object = "companies";
  m.table_schema = "Sales Data";
  m.table = "Company List";
  m.key = "Company Id";
  m.entity_id_column = "kizen_id";
  m.lookup = "name";
  for (const char* col : {"name", "revenue"}) {
    ks::config::field_mapping f;
    f.column = col;
    f.field = col;
    m.fields.push_back(f);
  }
  return m;
}

}  // namespace

TEST(row_reader, image_equals_the_trigger_image_and_write_back_is_not_captured) {
  ks::test::scratch_database db;
  pqxx::connection c(db.url());
  pqxx::nontransaction(c).exec0(
      "CREATE SCHEMA \"Sales Data\"; CREATE TABLE \"Sales Data\".\"Company List\" ("
      "\"Company Id\" int PRIMARY KEY, name text, revenue numeric, secret text, kizen_id uuid)");
  const auto m = table(companies());
  ASSERT_TRUE(migrator().migrate(c, "kizen_sync", {m}));
  pqxx::nontransaction(c).exec0(
      "INSERT INTO \"Sales Data\".\"Company List\" VALUES (7, 'Acme', 1234567890.0123456789, 'x', NULL)");

  row_reader rows;
  row_writer writer;
  outbox_store outbox("kizen_sync");
  pqxx::work tx(c);
  const auto image = rows.image(tx, m, "7");
  ASSERT_TRUE(image);
  const auto captured = outbox.pending_changes(tx, {"companies", "7"}, 10);
  ASSERT_EQ(captured.size(), 1u);
  EXPECT_EQ(*image, captured[0].new_row);
  EXPECT_EQ(image->at("revenue"), "1234567890.0123456789");
  EXPECT_FALSE(image->contains("secret"));  // unmapped columns never leave the table
  EXPECT_FALSE(rows.image(tx, m, "8"));

  tx.exec0("SET LOCAL kizen_sync.applying = 'on'");
  const std::string entity = "0f8fad5b-d9cb-469f-a165-70867728950e";
  EXPECT_TRUE(writer.write_entity_id(tx, m, "7", entity));
  EXPECT_FALSE(writer.write_entity_id(tx, m, "7", entity));  // already holds it
  tx.commit();

  pqxx::work check(c);
  EXPECT_EQ(check.exec1("SELECT kizen_id::text FROM \"Sales Data\".\"Company List\"")[0].as<std::string>(), entity);
  EXPECT_EQ(check.exec1("SELECT count(*) FROM kizen_sync.outbox")[0].as<int>(), 1);  // only the insert
}
