// `kizen-sync check`: the config file offline; with --online, PostgreSQL (tables, columns, unique
// keys, schema and triggers) and Kizen (credentials, objects, mapped fields, record access).
#include "daemon/cli/commands.hpp"

#include "config/connector_settings.hpp"

#include "connectors/kizen/client.hpp"
#include "connectors/postgres/lookup_index.hpp"
#include "connectors/postgres/migrator.hpp"
#include "connectors/postgres/open_connection.hpp"
#include "connectors/postgres/table_inspector.hpp"
#include "daemon/engine/mapping/object_bindings.hpp"
#include "daemon/service/logging.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <iostream>
#include <pqxx/pqxx>

namespace ks::cli {

namespace net = boost::asio;

namespace {

struct online_report {
  std::vector<std::string> problems;  // the setup is wrong: exit 2
  std::vector<std::string> failures;  // could not even look: exit 1
  std::vector<std::string> warnings;  // works, but slowly: printed, exit 0
};

void check_postgres(const config::config& cfg, online_report& report) {
  pg::connection_settings settings;
  settings.url = cfg.postgres.url;
  settings.application_name = "kizen-sync check";
  auto conn = pg::open_connection(settings);
  if (!conn) {
    report.failures.push_back("PostgreSQL: " + conn.error());
    return;
  }
  {
    pqxx::read_transaction tx(**conn);
    pg::table_inspector inspector;
    for (const auto& m : cfg.objects) {
      const auto table = config::table_mapping_of(m);
      for (auto& p : inspector.inspect(tx, table)) report.problems.push_back("PostgreSQL: " + p);
      for (auto& p : inspector.new_record_problems(tx, table)) report.problems.push_back("PostgreSQL: " + p);
      if (auto w = pg::lookup_index_warning(tx, table); !w.empty()) report.warnings.push_back("PostgreSQL: " + w);
    }
  }
  pg::migrator migrator;
  const auto pending = migrator.pending_migrations(**conn, cfg.postgres.schema);
  if (!pending.empty()) {
    report.problems.push_back("PostgreSQL: the sync schema '" + cfg.postgres.schema + "' lacks " +
                              std::to_string(pending.size()) + " migration(s): run `kizen-sync migrate -c " +
                              cfg.source_file + "`");
    return;
  }
  for (auto& p : migrator.verify_capture_triggers(**conn, cfg.postgres.schema, config::table_mappings(cfg)))
    report.problems.push_back("PostgreSQL: " + p);
}

net::awaitable<void> check_kizen(const config::config& cfg, online_report& report) {
  // co_await in its own statement: GCC 12 mangles temporaries of a full-expression that awaits.
  const auto executor = co_await net::this_coro::executor;
  auto client =
      kizen::client::create(executor, config::kizen_client_settings(cfg.kizen), service::make_logger("kizen"));
  if (!client) {
    report.problems.push_back("Kizen: " + client.error().message);
    co_return;
  }
  auto bound = co_await engine::bind_to_kizen(**client, cfg);
  if (!bound) {
    auto& into = bound.error().retryable ? report.failures : report.problems;
    for (auto& p : bound.error().problems) into.push_back("Kizen: " + p);
    co_return;
  }
  for (const auto& m : cfg.objects) {
    kizen::search_query q;
    q.page_size = 1;
    auto r = co_await (*client)->search_records(m.object, q);
    if (!r) {
      auto& into = r.error().retryable ? report.failures : report.problems;
      into.push_back("Kizen: searching " + m.object + " failed: " + r.error().message);
    }
  }
}

}  // namespace

int check_command(const command_line& line) {
  const auto cfg = load_config_reporting(line.config_path, std::cerr);
  if (!cfg) return exit_usage;
  if (!line.online) {
    std::cout << "ok\n";
    return exit_ok;
  }
  online_report report;
  check_postgres(*cfg, report);
  net::io_context io;
  auto done = net::co_spawn(io, check_kizen(*cfg, report), net::use_future);
  io.run();
  done.get();
  for (const auto& f : report.failures) std::cerr << "error: " << f << "\n";
  for (const auto& p : report.problems) std::cerr << "error: " << p << "\n";
  for (const auto& w : report.warnings) std::cerr << "warning: " << w << "\n";
  if (!report.failures.empty()) return exit_failure;
  if (!report.problems.empty()) return exit_usage;
  std::cout << "ok (config, PostgreSQL and Kizen)\n";
  return exit_ok;
}

}  // namespace ks::cli
