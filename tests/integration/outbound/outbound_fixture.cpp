#include "tests/integration/outbound/outbound_fixture.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

namespace ks::test::outbound {

namespace json = boost::json;

outbox_counts outbound_test::outbox() {
  pqxx::nontransaction tx(db());
  const auto r = tx.exec(
      "SELECT count(*) FILTER (WHERE state = 'pending'), count(*) FILTER (WHERE state = 'dead'),"
      " count(*) FILTER (WHERE state = 'done') FROM kizen_sync.outbox");
  return {r[0][0].as<std::int64_t>(), r[0][1].as<std::int64_t>(), r[0][2].as<std::int64_t>()};
}

std::string outbound_test::prepare(const config_options& options) {
  sql(tables_sql);
  const auto path = write_config(options);
  migrate(path);
  return path;
}

void outbound_test::migrate(const std::string& config_path) {
  const auto r = run_kizen_sync({"migrate", "-c", config_path}, 120s, daemon_env());
  ASSERT_EQ(r.exit_code, 0) << "kizen-sync migrate failed:\n" << r.out << r.err;
}

bool outbound_test::expect_clean_stop() {
  const int status = daemon_->stop();
  EXPECT_EQ(status, 0) << "kizen-sync run exited with status " << status << "; its log:\n" << daemon_log_tail(200);
  return status == 0;
}

bool outbound_test::wait_until(const std::string& what, const std::function<bool()>& done,
                               std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string last_error;
  for (;;) {
    try {
      if (done()) return true;
      last_error.clear();
    } catch (const std::exception& e) {
      last_error = e.what();
    }
    if (std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(100ms);
  }
  ADD_FAILURE() << "timed out after " << timeout.count() << " ms waiting for " << what
                << (last_error.empty() ? "" : " (last check threw: " + last_error + ")");
  return false;
}

bool outbound_test::wait_all_applied(std::chrono::milliseconds timeout) {
  outbox_counts last;
  const bool ok = wait_until(
      "every outbox change to be applied",
      [&] {
        last = outbox();
        return last.pending == 0;
      },
      timeout);
  EXPECT_EQ(last.dead, 0) << "dead letters: "
                          << scalar(
                                 "SELECT string_agg(id || ' ' || object || '/' || key || ': ' || "
                                 "coalesce(last_error, ''), E'\\n') FROM kizen_sync.outbox "
                                 "WHERE state = 'dead'");
  return ok && last.dead == 0;
}

void outbound_test::restart_emulator(std::vector<std::string> extra_args, bool same_port) {
  const std::string old_url = emulator_->base_url();
  emulator_->stop();
  emulator_options options;
  options.extra_args = {"--log-level", "warn"};
  if (same_port) {
    const auto port = old_url.substr(old_url.rfind(':') + 1);
    options.extra_args.insert(options.extra_args.end(), {"--listen", "127.0.0.1:" + port});
  }
  options.extra_args.insert(options.extra_args.end(), extra_args.begin(), extra_args.end());
  emulator_ = std::make_unique<emulator_process>(options);
  kizen_ = std::make_unique<emulator_control>(*emulator_);
}

void outbound_test::expect_in_sync(const std::string& object, const std::string& expected_sql) {
  const auto state = kizen().state();
  pqxx::nontransaction tx(db());
  const auto rows = tx.exec(expected_sql);
  std::set<std::string> expected_ids;
  for (const auto& row : rows) {
    const std::string key = row[0].as<std::string>();
    const auto identity = tx.exec_params(
        "SELECT entity_id::text FROM kizen_sync.identity_map WHERE object = $1 AND key = $2", object, key);
    if (identity.empty()) {
      ADD_FAILURE() << object << "/" << key << ": no identity (never reached Kizen)";
      continue;
    }
    const std::string id = identity[0][0].as<std::string>();
    if (!row[1].is_null()) {
      EXPECT_EQ(row[1].as<std::string>(), id) << object << "/" << key << ": entity_id_column";
    }
    const auto* rec = state.find(id);
    if (rec == nullptr) {
      ADD_FAILURE() << object << "/" << key << ": Kizen has no record " << id;
      continue;
    }
    EXPECT_FALSE(rec->archived) << object << "/" << key << ": record " << id << " is archived";
    expected_ids.insert(id);
    EXPECT_EQ(canonical(rec->fields), canonical(json::parse(row[2].c_str())))
        << object << "/" << key << " (record " << id << ")";
  }
  const auto live = state.live(object);
  EXPECT_EQ(live.size(), rows.size()) << object << ": live records in Kizen vs rows in the table";
  for (const auto* r : live)
    EXPECT_TRUE(expected_ids.count(r->id))
        << object << ": live record " << r->id << " belongs to no row: " << json::serialize(r->fields);
}

}  // namespace ks::test::outbound
