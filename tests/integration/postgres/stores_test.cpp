#include "connectors/postgres/cursor_store.hpp"
#include "connectors/postgres/identity_store.hpp"
#include "connectors/postgres/migrator.hpp"
#include "tests/integration/postgres/pg_test_fixture.hpp"

namespace ks::pg {
namespace {

using namespace ks::pg::testing;
namespace json = boost::json;

constexpr const char* entity_a = "5f0c3a5e-8d7b-4c1e-9a51-3b2f6d7e8a90";
constexpr const char* entity_b = "7b1d2c3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e";

class pg_stores : public pg_test {
 protected:
  void SetUp() override {
    auto r = migrator().migrate(*conn_, schema_, tables({}));
    ASSERT_TRUE(r.has_value()) << r.error();
  }
  // A quoted schema name proves the stores quote it.
  const std::string schema_ = "Sync Schema";
  identity_store identities_{schema_};
  cursor_store cursors_{schema_};
};

TEST_F(pg_stores, identity_round_trip) {
  const auto updated = from_micros(1'733'000'123'456'789);
  {
    pqxx::work tx(*conn_);
    EXPECT_FALSE(identities_.find(tx, "client_client", "1").has_value());
    const auto saved =
        identities_.save(tx, "client_client", "1", entity_a, json::object{{"email", "a@x.io"}, {"score", 7}}, updated);
    ASSERT_TRUE(saved.has_value()) << saved.error().message;
    tx.commit();
  }
  pqxx::work tx(*conn_);
  const auto found = identities_.find(tx, "client_client", "1");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->object, "client_client");
  EXPECT_EQ(found->key, "1");
  EXPECT_EQ(found->entity_id, entity_a);
  EXPECT_EQ(found->synced_values, (json::object{{"email", "a@x.io"}, {"score", 7}}));
  EXPECT_EQ(found->kizen_updated, updated);
  EXPECT_EQ(found->created_at, found->updated_at);

  // By entity, in any case.
  std::string upper = entity_a;
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const auto by_entity = identities_.find_by_entity(tx, "client_client", upper);
  ASSERT_TRUE(by_entity.has_value());
  EXPECT_EQ(by_entity->key, "1");
  EXPECT_FALSE(identities_.find_by_entity(tx, "deals", entity_a).has_value());
  EXPECT_FALSE(identities_.find_by_entity(tx, "client_client", "not-a-uuid").has_value());
  EXPECT_FALSE(identities_.find(tx, "deals", "1").has_value());
}

TEST_F(pg_stores, saving_again_updates_values_and_identity) {
  pqxx::work tx(*conn_);
  ASSERT_TRUE(identities_.save(tx, "client_client", "1", entity_a, {{"email", "a@x.io"}}, std::nullopt));
  ASSERT_TRUE(identities_.save(tx, "client_client", "1", entity_b, {{"email", "b@x.io"}}, from_micros(5)));
  const auto found = identities_.find(tx, "client_client", "1");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->entity_id, entity_b);
  EXPECT_EQ(found->synced_values, (json::object{{"email", "b@x.io"}}));
  EXPECT_EQ(found->kizen_updated, from_micros(5));
  EXPECT_FALSE(identities_.find_by_entity(tx, "client_client", entity_a).has_value());
  EXPECT_EQ(identities_.count(tx, "client_client"), 1);
}

TEST_F(pg_stores, an_entity_mapped_to_another_key_is_refused_and_the_transaction_survives) {
  pqxx::work tx(*conn_);
  ASSERT_TRUE(identities_.save(tx, "client_client", "1", entity_a, {}, std::nullopt));
  const auto conflict = identities_.save(tx, "client_client", "2", entity_a, {}, std::nullopt);
  ASSERT_FALSE(conflict.has_value());
  EXPECT_EQ(conflict.error().what, identity_error::kind::entity_mapped_elsewhere);
  EXPECT_EQ(conflict.error().other_key, "1");
  EXPECT_EQ(conflict.error().message,
            std::string("object client_client, key 2: Kizen record ") + entity_a +
                " is already mapped to key 1 of that object; refusing to map it to a second key");
  // Nothing was re-pointed, and the caller's transaction still works.
  EXPECT_EQ(identities_.find_by_entity(tx, "client_client", entity_a)->key, "1");
  EXPECT_FALSE(identities_.find(tx, "client_client", "2").has_value());
  // The same entity under another object is a different record space.
  EXPECT_TRUE(identities_.save(tx, "deals", "2", entity_a, {}, std::nullopt));
  tx.commit();
  pqxx::work check(*conn_);
  EXPECT_EQ(identities_.count(check, "client_client"), 1);
  EXPECT_EQ(identities_.count(check, "deals"), 1);
}

TEST_F(pg_stores, an_invalid_entity_id_is_refused_without_touching_the_transaction) {
  pqxx::work tx(*conn_);
  const auto bad = identities_.save(tx, "client_client", "1", "nope", {}, std::nullopt);
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().what, identity_error::kind::invalid_entity_id);
  EXPECT_NE(bad.error().message.find("\"nope\" is not a UUID"), std::string::npos);
  EXPECT_TRUE(identities_.save(tx, "client_client", "1", entity_a, {}, std::nullopt));
  tx.commit();
}

TEST_F(pg_stores, identity_remove_and_count) {
  pqxx::work tx(*conn_);
  ASSERT_TRUE(identities_.save(tx, "client_client", "1", entity_a, {}, std::nullopt));
  ASSERT_TRUE(identities_.save(tx, "client_client", "2", entity_b, {}, std::nullopt));
  EXPECT_EQ(identities_.count(tx, "client_client"), 2);
  EXPECT_EQ(identities_.count(tx, "deals"), 0);
  EXPECT_TRUE(identities_.remove(tx, "client_client", "1"));
  EXPECT_FALSE(identities_.remove(tx, "client_client", "1"));
  EXPECT_EQ(identities_.count(tx, "client_client"), 1);
  // The freed entity can now be mapped to another key.
  EXPECT_TRUE(identities_.save(tx, "client_client", "3", entity_a, {}, std::nullopt));
}

TEST_F(pg_stores, identity_writes_roll_back_with_the_callers_transaction) {
  {
    pqxx::work tx(*conn_);
    ASSERT_TRUE(identities_.save(tx, "client_client", "1", entity_a, {}, std::nullopt));
  }
  pqxx::work tx(*conn_);
  EXPECT_EQ(identities_.count(tx, "client_client"), 0);
}

TEST_F(pg_stores, cursor_starts_empty_and_only_moves_forward) {
  pqxx::work tx(*conn_);
  const auto fresh = cursors_.get(tx, "client_client");
  EXPECT_EQ(fresh.object, "client_client");
  EXPECT_FALSE(fresh.updated.has_value());
  EXPECT_FALSE(fresh.id.has_value());
  EXPECT_EQ(fresh.records_pulled, 0);

  const auto t1 = from_micros(1'733'000'000'000'001);
  EXPECT_TRUE(cursors_.advance(tx, "client_client", t1, entity_a).value());
  auto c = cursors_.get(tx, "client_client");
  EXPECT_EQ(c.updated, t1);
  EXPECT_EQ(c.id, entity_a);

  // Same timestamp, larger id: forward. Same position or earlier: ignored.
  EXPECT_TRUE(cursors_.advance(tx, "client_client", t1, entity_b).value());
  EXPECT_FALSE(cursors_.advance(tx, "client_client", t1, entity_b).value());
  EXPECT_FALSE(cursors_.advance(tx, "client_client", t1, entity_a).value());
  EXPECT_FALSE(cursors_.advance(tx, "client_client", from_micros(1), entity_b).value());
  c = cursors_.get(tx, "client_client");
  EXPECT_EQ(c.updated, t1);
  EXPECT_EQ(c.id, entity_b);

  const auto t2 = t1 + std::chrono::microseconds(1);
  EXPECT_TRUE(cursors_.advance(tx, "client_client", t2, entity_a).value());
  EXPECT_EQ(cursors_.get(tx, "client_client").updated, t2);
  EXPECT_FALSE(cursors_.get(tx, "deals").updated.has_value());

  const auto bad = cursors_.advance(tx, "client_client", t2, "42");
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().find("\"42\": not a UUID"), std::string::npos);

  cursors_.reset(tx, "client_client");
  c = cursors_.get(tx, "client_client");
  EXPECT_FALSE(c.updated.has_value());
  EXPECT_TRUE(cursors_.advance(tx, "client_client", t1, entity_a).value());
  tx.commit();
}

TEST_F(pg_stores, pulls_are_recorded_with_errors_and_running_totals) {
  pqxx::work tx(*conn_);
  cursors_.record_pull(tx, "client_client", std::nullopt, 10);
  auto c = cursors_.get(tx, "client_client");
  EXPECT_TRUE(c.last_pull_at.has_value());
  EXPECT_FALSE(c.last_pull_error.has_value());
  EXPECT_EQ(c.records_pulled, 10);

  cursors_.record_pull(tx, "client_client", std::string("HTTP 503 from Kizen"), 0);
  c = cursors_.get(tx, "client_client");
  EXPECT_EQ(c.last_pull_error, "HTTP 503 from Kizen");
  EXPECT_EQ(c.records_pulled, 10);

  cursors_.record_pull(tx, "client_client", std::nullopt, 5);
  c = cursors_.get(tx, "client_client");
  EXPECT_FALSE(c.last_pull_error.has_value());
  EXPECT_EQ(c.records_pulled, 15);
  // Recording pulls never moves the position, and advancing keeps the totals.
  EXPECT_FALSE(c.updated.has_value());
  ASSERT_TRUE(cursors_.advance(tx, "client_client", from_micros(7), entity_a));
  EXPECT_EQ(cursors_.get(tx, "client_client").records_pulled, 15);
  tx.commit();
}

}  // namespace
}  // namespace ks::pg
