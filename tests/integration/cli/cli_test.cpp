// The kizen-sync commands as an operator meets them: the real binary, a real PostgreSQL, the
// emulator over sockets. Exit codes (0 ok, 1 runtime failure, 2 usage/config), messages that
// name the place, and no secrets in what is printed.
#include "tests/support/daemon_process.hpp"
#include "tests/support/emulator_process.hpp"
#include "tests/support/scratch_database.hpp"

#include <gtest/gtest.h>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <pqxx/pqxx>
#include <thread>

using namespace ks::test;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

constexpr const char* secret_key = "s3cret-api-key-never-printed";

// A temporary directory with a config file in it.
class config_dir {
 public:
  config_dir() {
    dir_ = fs::temp_directory_path() / ("ks-cli-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
    fs::create_directories(dir_);
  }
  ~config_dir() { fs::remove_all(dir_); }
  std::string write(const std::string& yaml, const std::string& name = "sync.yaml") const {
    const auto path = (dir_ / name).string();
    std::ofstream(path) << yaml;
    return path;
  }

 private:
  static inline int counter_ = 0;
  fs::path dir_;
};

std::string config_yaml(const std::string& base_url, const std::string& db_url, const std::string& api_key,
                        const std::string& contact_field = "first_name") {
  return "kizen:\n"
         "  base_url: " +
         base_url +
         "\n"
         "  api_key: ${TEST_KIZEN_KEY:-" +
         api_key +
         "}\n"
         "  business_id: " +
         emulator_options{}.business_id +
         "\n"
         "  user_id: " +
         emulator_options{}.user_id +
         "\n"
         "  max_requests_per_second: 500\n"
         "postgres:\n"
         "  url: \"" +
         db_url +
         "\"\n"
         "daemon:\n"
         "  http_listen: 127.0.0.1:0\n"
         "  shutdown_grace: 5s\n"
         "objects:\n"
         "  - object: companies\n"
         "    table: companies\n"
         "    key: id\n"
         "    entity_id_column: kizen_id\n"
         "    lookup: name\n"
         "    fields:\n"
         "      - {column: name, field: name}\n"
         "      - {column: employees, field: employees}\n"
         "  - object: client_client\n"
         "    table: contacts\n"
         "    key: id\n"
         "    entity_id_column: kizen_id\n"
         "    lookup: email\n"
         "    fields:\n"
         "      - {column: email, field: email}\n"
         "      - {column: first_name, field: " +
         contact_field +
         "}\n"
         "      - {column: company_id, field: company, references: companies}\n";
}

void create_tables(const std::string& db_url) {
  pqxx::connection c(db_url);
  pqxx::nontransaction(c).exec0(
      "CREATE TABLE companies (id int PRIMARY KEY, name text UNIQUE, employees int, kizen_id uuid);"
      "CREATE TABLE contacts (id int PRIMARY KEY, email text UNIQUE, first_name text,"
      "  company_id int REFERENCES companies (id), kizen_id uuid)");
}

emulator_options with_secret_key() {
  emulator_options o;
  o.api_key = secret_key;
  return o;
}

struct environment {
  scratch_database db;
  emulator_process kizen{with_secret_key()};
  config_dir dir;
  environment() { create_tables(db.url()); }
  std::string config(const std::string& contact_field = "first_name", const std::string& key = secret_key) const {
    return dir.write(config_yaml(kizen.base_url(), db.url(), key, contact_field));
  }
};

void expect_no_secret(const command_output& r) {
  EXPECT_EQ(r.out.find(secret_key), std::string::npos) << r.out;
  EXPECT_EQ(r.err.find(secret_key), std::string::npos) << r.err;
}

}  // namespace

TEST(cli, help_version_and_usage_errors) {
  auto help = run_kizen_sync({"--help"});
  EXPECT_EQ(help.exit_code, 0);
  for (const char* cmd : {"run", "migrate", "check", "status", "replay", "resync"})
    EXPECT_NE(help.out.find(std::string("  ") + cmd), std::string::npos) << cmd;
  for (const char* cmd : {"run", "migrate", "check", "status", "replay", "resync"}) {
    auto r = run_kizen_sync({cmd, "--help"});
    EXPECT_EQ(r.exit_code, 0) << cmd;
    EXPECT_NE(r.out.find(std::string("Usage: kizen-sync ") + cmd), std::string::npos) << cmd;
  }
  EXPECT_NE(run_kizen_sync({"--version"}).out.find("kizen-sync 0."), std::string::npos);
  auto none = run_kizen_sync({});
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_NE(none.err.find("no command given"), std::string::npos);
  auto bad = run_kizen_sync({"status", "-c", "x.yaml", "--jsn"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("unknown option '--jsn' for status"), std::string::npos);
  EXPECT_NE(bad.err.find("kizen-sync status --help"), std::string::npos);
}

TEST(cli, check_reports_every_problem_with_its_place) {
  config_dir dir;
  const auto path = dir.write(
      "kizen:\n  base_url: http://kizen.example.com\n  api_key: k\n  business_id: b\n  user_id: u\n"
      "  max_conections: 8\npostgres:\n  url: postgresql:///x\nobjects:\n"
      "  - object: companies\n    table: companies\n    key: id\n    lookup: nme\n"
      "    fields:\n      - {column: name, field: name}\n");
  auto r = run_kizen_sync({"check", "-c", path});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find(path + ":2:13: error:"), std::string::npos) << r.err;  // plain http, not loopback
  EXPECT_NE(r.err.find(path + ":6:3: error: unknown key 'max_conections'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("did you mean 'max_connections'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("lookup"), std::string::npos) << r.err;

  auto missing = run_kizen_sync({"check", "-c", "/nonexistent/sync.yaml"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("/nonexistent/sync.yaml"), std::string::npos);
}

TEST(cli, check_offline_and_online_pass_on_a_good_setup) {
  environment env;
  const auto path = env.config();
  auto offline = run_kizen_sync({"check", "-c", path});
  EXPECT_EQ(offline.exit_code, 0) << offline.err;
  EXPECT_EQ(offline.out, "ok\n");
  ASSERT_EQ(run_kizen_sync({"migrate", "-c", path}).exit_code, 0);
  auto online = run_kizen_sync({"check", "-c", path, "--online"});
  EXPECT_EQ(online.exit_code, 0) << online.err;
  EXPECT_EQ(online.out, "ok (config, PostgreSQL and Kizen)\n");
  expect_no_secret(online);
}

TEST(cli, check_online_names_what_is_wrong_in_postgres_and_kizen) {
  environment env;
  // Not migrated yet, and a field Kizen does not have.
  const auto drifted = env.config("first_nmae");
  auto r = run_kizen_sync({"check", "-c", drifted, "--online"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("run `kizen-sync migrate"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("Kizen has no field 'first_nmae'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(drifted + ":"), std::string::npos) << r.err;  // the config place

  // A missing column.
  {
    pqxx::connection c(env.db.url());
    pqxx::nontransaction(c).exec0("ALTER TABLE contacts DROP COLUMN first_name");
  }
  auto column = run_kizen_sync({"check", "-c", env.config(), "--online"});
  EXPECT_EQ(column.exit_code, 2);
  EXPECT_NE(column.err.find("first_name"), std::string::npos) << column.err;

  // Refused credentials: a configuration problem (exit 2), and the key is never printed.
  auto refused = run_kizen_sync({"check", "-c", env.config("first_name", "wrong-key-also-secret"), "--online"});
  EXPECT_EQ(refused.exit_code, 2) << refused.err;
  EXPECT_NE(refused.err.find("403"), std::string::npos) << refused.err;
  EXPECT_EQ(refused.err.find("wrong-key-also-secret"), std::string::npos) << refused.err;
}

TEST(cli, check_online_cannot_connect_is_a_runtime_failure) {
  environment env;
  config_dir dir;
  const auto path = dir.write(
      config_yaml(env.kizen.base_url(), "postgresql:///x?host=/nonexistent-socket-dir&connect_timeout=2", secret_key));
  auto r = run_kizen_sync({"check", "-c", path, "--online"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("PostgreSQL"), std::string::npos) << r.err;
}

TEST(cli, migrate_is_idempotent_and_says_what_it_did) {
  environment env;
  const auto path = env.config();
  auto first = run_kizen_sync({"migrate", "-c", path});
  EXPECT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.out.find("applied migrations"), std::string::npos) << first.out;
  auto second = run_kizen_sync({"migrate", "-c", path});
  EXPECT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(second.out.find("applied migrations"), std::string::npos) << second.out;
  pqxx::connection c(env.db.url());
  pqxx::nontransaction tx(c);
  const auto row = tx.exec1("SELECT count(*), max(version) FROM kizen_sync.schema_migrations");
  EXPECT_EQ(row[0].as<int>(), row[1].as<int>());  // each migration recorded once
}

TEST(cli, run_refuses_an_unmigrated_database_and_schema_drift_with_exit_2) {
  environment env;
  daemon_options opts;
  opts.wait_healthy = false;
  {
    daemon_process daemon(env.config(), opts);
    for (int i = 0; i < 300 && daemon.running(); ++i) std::this_thread::sleep_for(100ms);
    ASSERT_FALSE(daemon.running()) << daemon.log();
    EXPECT_EQ(daemon.exit_status(), 2);
    EXPECT_NE(daemon.log().find("run `kizen-sync migrate"), std::string::npos) << daemon.log();
  }
  ASSERT_EQ(run_kizen_sync({"migrate", "-c", env.config()}).exit_code, 0);
  daemon_process drift(env.config("first_nmae"), opts);
  for (int i = 0; i < 300 && drift.running(); ++i) std::this_thread::sleep_for(100ms);
  ASSERT_FALSE(drift.running()) << drift.log();
  EXPECT_EQ(drift.exit_status(), 2);
  EXPECT_NE(drift.log().find("Kizen has no field 'first_nmae'"), std::string::npos) << drift.log();
  EXPECT_EQ(drift.log().find(secret_key), std::string::npos);
}

TEST(cli, sighup_reloads_a_good_config_and_keeps_the_running_one_on_a_bad_one) {
  environment env;
  const auto path = env.config();
  ASSERT_EQ(run_kizen_sync({"migrate", "-c", path}).exit_code, 0);
  daemon_process daemon(path);
  std::ofstream(path) << "kizen: [this is not\n";
  ::kill(daemon.pid(), SIGHUP);
  for (int i = 0; i < 100 && daemon.log_lines_with("config reload rejected; the running config stays").empty(); ++i)
    std::this_thread::sleep_for(100ms);
  ASSERT_FALSE(daemon.log_lines_with("config reload rejected; the running config stays").empty()) << daemon.log();
  EXPECT_EQ(daemon.healthz(), 200);

  std::ofstream(path) << config_yaml(env.kizen.base_url(), env.db.url(), secret_key);
  ::kill(daemon.pid(), SIGHUP);
  for (int i = 0; i < 200 && daemon.log_lines_with("config reloaded").empty(); ++i) std::this_thread::sleep_for(100ms);
  ASSERT_FALSE(daemon.log_lines_with("config reloaded").empty()) << daemon.log();
  EXPECT_TRUE(daemon.wait_for_health(200, 30s)) << daemon.log();
  EXPECT_EQ(daemon.stop(), 0) << daemon.log();
  EXPECT_EQ(daemon.log().find(secret_key), std::string::npos);
}

TEST(cli, replay_and_status_refuse_what_they_cannot_do) {
  environment env;
  const auto path = env.config();
  auto unmigrated = run_kizen_sync({"status", "-c", path});
  EXPECT_EQ(unmigrated.exit_code, 1);
  EXPECT_NE(unmigrated.err.find("run `kizen-sync migrate"), std::string::npos) << unmigrated.err;
  auto unknown = run_kizen_sync({"replay", "-c", path, "--all", "--object", "deals"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("object 'deals' is not in"), std::string::npos) << unknown.err;
}
