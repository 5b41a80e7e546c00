#pragma once
// The gtest base of the sync suites (tests/integration/outbound, tests/integration/inbound): a
// scratch PostgreSQL database with the test's own connection, kizen-emulator over sockets with its
// control client, a temporary directory for configs, and the kizen-sync daemon once started. On
// failure, TearDown prints the tail of the daemon's log.

#include "tests/support/daemon_process.hpp"
#include "tests/support/emulator_control.hpp"
#include "tests/support/emulator_process.hpp"
#include "tests/support/scratch_database.hpp"

#include <gtest/gtest.h>
#include <boost/json/value.hpp>
#include <cstdint>
#include <memory>
#include <pqxx/pqxx>
#include <string>

namespace ks::test {

// A YAML single-quoted scalar ('' for ', so URLs pass unchanged); `$` doubled because the config
// loader expands ${VAR}.
std::string yaml_quoted(const std::string& s);

// JSON text with object keys and array items sorted: equal for values that differ only in order
// (e.g. a record's fields as the emulator and as PostgreSQL list them, tag lists).
std::string canonical(const boost::json::value& v);

// The settings a sync test's config file varies; the rest is fixed (schema kizen_sync, status on
// a free port). Each suite sets its own defaults (see their config_options).
struct sync_config {
  std::string objects_yaml;  // the items of `objects:`
  int max_connections = 8;
  double max_requests_per_second = 1000;
  std::string request_timeout = "5s";
  std::string key_lease = "10s";  // daemon.key_lease: at least twice request_timeout
  std::string retry = "{max_attempts: 30, initial_backoff: 20ms, max_backoff: 500ms}";
  std::string search_visibility_delay = "300ms";  // the emulator's search lags only when told to
  std::string postgres_url;                       // default: the scratch database's
  std::string statement_timeout;                  // postgres.statement_timeout; default: not set
  std::string poll_interval = "1s";
  std::string shutdown_grace = "20s";
  std::string log_level = "debug";
  int batch_size = 200;
  std::string base_url;  // default: the fixture's emulator
};

class sync_fixture : public ::testing::Test {
 protected:
  // `dir_prefix` names the temporary directory, e.g. "ks-outbound".
  explicit sync_fixture(std::string dir_prefix) : dir_prefix_(std::move(dir_prefix)) {}
  void SetUp() override;
  void TearDown() override;

  // --- PostgreSQL ---
  const std::string& db_url() const { return db_->url(); }
  pqxx::connection& db();                        // the test's own connection (reopened if lost)
  void sql(const std::string& statements);       // one transaction
  std::string scalar(const std::string& query);  // first column of the first row ("" for NULL)
  std::int64_t count(const std::string& query);
  // The identity map's entity id of (object, key), or "".
  std::string entity_of(const std::string& object, const std::string& key);

  // --- the daemon ---
  // Writes a config for the fixture's database and emulator into the test directory; returns its path.
  std::string write_config(const sync_config& options, const std::string& name = "kizen-sync.yaml");
  // The environment of every kizen-sync child: the daemon is an ASan build too, and libpqxx's
  // known leak on broken connections is suppressed (tests/run.sh sets this for the tests).
  environment_list daemon_env() const;
  daemon_process& start_daemon(const std::string& config_path);  // stops the previous one
  daemon_process* daemon() { return daemon_.get(); }
  // The last `lines` lines of the daemon's log, for failure messages.
  std::string daemon_log_tail(std::size_t lines = 150) const;

  // --- Kizen ---
  emulator_control& kizen() { return *kizen_; }
  emulator_process& emulator() { return *emulator_; }

  std::unique_ptr<scratch_database> db_;
  std::unique_ptr<pqxx::connection> conn_;
  std::unique_ptr<emulator_process> emulator_;
  std::unique_ptr<emulator_control> kizen_;
  std::unique_ptr<daemon_process> daemon_;
  std::string dir_;

 private:
  std::string dir_prefix_;
};

}  // namespace ks::test
