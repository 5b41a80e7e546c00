// 1,000 random updates over 50 keys from concurrent transactions end with Kizen equal to the
// table, and each key's requests follow its commit order (issue 4, second "Done when" item).
//
// Every update increments `employees`, mapped to an integer field: commit order of one key is the
// order of its values, so the values that key's PATCHes carry must rise strictly (merging may skip
// some) and end at the final one.
#include "tests/integration/outbound/outbound_fixture.hpp"

#include <atomic>
#include <random>
#include <thread>

namespace ks::test::outbound {
namespace {

constexpr int keys = 50;
constexpr int updates = 1000;
constexpr int threads = 4;

TEST_F(outbound_test, concurrent_updates_keep_per_key_commit_order) {
  config_options options;
  options.objects_yaml = companies_yaml;
  const auto cfg = prepare(options);
  sql("INSERT INTO companies (id, name, employees) SELECT i, 'Company ' || i, 0 FROM generate_series(1, " +
      std::to_string(keys) + ") AS i");
  start_daemon(cfg);
  ASSERT_TRUE(wait_all_applied());
  const auto since = kizen().requests().last_seq();

  // Transactions of one or two rows (locked in key order, so they never deadlock), committed from
  // several threads at once while the daemon works.
  std::atomic<int> done{0};
  std::vector<std::thread> workers;
  std::vector<std::string> failures(threads);
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      try {
        pqxx::connection conn(db_url());
        std::mt19937 rng(static_cast<unsigned>(1000 + t));
        std::uniform_int_distribution<int> key(1, keys);
        while (done.load() < updates) {
          int a = key(rng), b = key(rng);
          const bool two = rng() % 2 == 0 && a != b && done.load() + 2 <= updates;
          if (a > b) std::swap(a, b);
          pqxx::work tx(conn);
          for (int k : two ? std::vector<int>{a, b} : std::vector<int>{a}) {
            tx.exec_params("UPDATE companies SET employees = employees + 1, domain = $2 WHERE id = $1", k,
                           "v" + std::to_string(rng() % 1000) + ".example");
          }
          tx.commit();
          done += two ? 2 : 1;
        }
      } catch (const std::exception& e) {
        failures[static_cast<std::size_t>(t)] = e.what();
      }
    });
  }
  for (auto& w : workers) w.join();
  for (const auto& f : failures) ASSERT_EQ(f, "");
  ASSERT_GE(count("SELECT sum(employees) FROM companies"), updates);

  ASSERT_TRUE(wait_all_applied());
  expect_in_sync("companies", companies_expected_sql);

  // Per key: the values its PATCHes carried rise strictly and end at the committed value.
  std::map<std::string, std::vector<std::int64_t>> carried;  // entity id -> employees values
  const auto log = kizen().requests(since);
  for (const auto* r : log.matching("PATCH", record_path)) {
    ASSERT_EQ(r->status, 200) << boost::json::serialize(r->body);
    const auto writes = r->field_writes();
    ASSERT_TRUE(writes.count("employees")) << boost::json::serialize(r->body);
    carried[r->entity_id().value_or("")].push_back(writes.at("employees").at("value").as_int64());
  }
  EXPECT_TRUE(log.matching("POST").empty()) << "no record should be created again";
  pqxx::nontransaction tx(db());
  for (const auto& row : tx.exec("SELECT id::text, kizen_id::text, employees FROM companies ORDER BY id")) {
    const auto key = row[0].as<std::string>();
    const auto final_value = row[2].as<std::int64_t>();
    const auto& values = carried[row[1].as<std::string>()];
    if (final_value == 0) {
      EXPECT_TRUE(values.empty()) << "key " << key;
      continue;
    }
    ASSERT_FALSE(values.empty()) << "key " << key << " was updated but never sent";
    for (std::size_t i = 1; i < values.size(); ++i)
      EXPECT_LT(values[i - 1], values[i]) << "key " << key << ": request " << i << " went out of commit order";
    EXPECT_EQ(values.back(), final_value) << "key " << key;
    EXPECT_LE(values.size(), static_cast<std::size_t>(final_value)) << "key " << key << ": more requests than changes";
  }
}

}  // namespace
}  // namespace ks::test::outbound

namespace ks::test::outbound {
namespace {

// An UPDATE of the key column is one move of the row's identity to the new key, not a delete of
// the old key and an insert of the new one sent side by side: those raced, the new key's write
// (to the record its entity_id column names) could land before the old key's archive, and the row
// then mapped to an archived record (which a reconcile with on_archive: delete turns into a
// deleted row).
TEST_F(outbound_test, a_key_update_moves_the_identity_and_the_record_stays) {
  constexpr int n = 10;
  config_options options;
  options.objects_yaml = std::string(companies_yaml) + contacts_yaml;
  const auto cfg = prepare(options);
  sql("INSERT INTO contacts (id, email, first_name) SELECT g, 'm' || g || '@example.com', 'Before'"
      " FROM generate_series(1, " + std::to_string(n) + ") g");
  start_daemon(cfg);
  ASSERT_TRUE(wait_all_applied());
  std::map<std::string, std::string> record_of;  // old key -> Kizen record
  for (int k = 1; k <= n; ++k) record_of[std::to_string(k)] = entity_of("client_client", std::to_string(k));
  const auto since = kizen().requests().last_seq();

  sql("UPDATE contacts SET id = id + 100, first_name = 'Moved'");
  ASSERT_TRUE(wait_all_applied());

  const auto state = kizen().state();
  for (const auto& [old_key, record] : record_of) {
    const auto new_key = std::to_string(std::stoi(old_key) + 100);
    EXPECT_EQ(entity_of("client_client", new_key), record) << "key " << new_key << " maps to another record";
    EXPECT_EQ(entity_of("client_client", old_key), "") << "the old key " << old_key << " is still mapped";
    const auto* r = state.find(record);
    ASSERT_NE(r, nullptr);
    EXPECT_FALSE(r->archived) << "the record of moved key " << new_key << " was archived";
    EXPECT_EQ(r->text("first_name").value_or(""), "Moved");
  }
  EXPECT_EQ(state.live("client_client").size(), static_cast<std::size_t>(n)) << "a record was added or lost";
  EXPECT_TRUE(kizen().requests(since).matching("DELETE", record_path).empty()) << "a moved key's record was archived";
  expect_in_sync("client_client", contacts_expected_sql);
  expect_clean_stop();
}

}  // namespace
}  // namespace ks::test::outbound
