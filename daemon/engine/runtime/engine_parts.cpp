#include "daemon/engine/runtime/engine_parts.hpp"

#include "common/log_line.hpp"
#include "config/connector_settings.hpp"
#include "connectors/postgres/lookup_index.hpp"
#include "connectors/postgres/migrator.hpp"
#include "connectors/postgres/table_inspector.hpp"

#include <pqxx/pqxx>

namespace ks::engine {

namespace net = boost::asio;

engine_parts::engine_parts(net::any_io_executor executor, const config::config& cfg, const engine_settings& settings,
                           logger_factory loggers, const std::string& role)
    : executor_(executor), cfg_(cfg), loggers_(std::move(loggers)) {
  // Claims are short by construction (try-locks, no waits): one that outlives its deadline is a
  // server or network that stopped answering, and must not hold the claim loop.
  auto claim = config::pool_settings(cfg.postgres, role + " claim", settings.pools.claim);
  claim.job_deadline = settings.outbound.claim_deadline;
  claim_pool_ = std::make_unique<pg::db_pool>(std::move(claim));
  work_pool_ = std::make_unique<pg::db_pool>(config::pool_settings(cfg.postgres, role, settings.pools.work));
  inbound_pool_ =
      std::make_unique<pg::db_pool>(config::pool_settings(cfg.postgres, role + " inbound", settings.pools.inbound));
}

engine_parts::~engine_parts() = default;

net::awaitable<ks::result<void, startup_problem>> engine_parts::check_schema(bool verify_triggers) {
  std::vector<std::string> problems;
  std::string failure;
  try {
    problems = co_await work_pool_->run([this, verify_triggers](pqxx::connection& conn) {
      pg::migrator migrator;
      std::vector<std::string> out;
      if (!migrator.pending_migrations(conn, cfg_.postgres.schema).empty()) {
        out.push_back("the sync schema '" + cfg_.postgres.schema +
                      "' is missing or outdated: run `kizen-sync migrate -c " + cfg_.source_file + "`");
        return out;
      }
      if (verify_triggers)
        out = migrator.verify_capture_triggers(conn, cfg_.postgres.schema, config::table_mappings(cfg_));
      return out;
    });
  } catch (const std::exception& e) {
    failure = e.what();
  }
  if (!failure.empty()) co_return ks::fail(startup_problem{true, {"PostgreSQL unreachable: " + failure}});
  if (!problems.empty()) co_return ks::fail(startup_problem{false, std::move(problems)});
  co_return ks::ok;
}

net::awaitable<ks::result<void, startup_problem>> engine_parts::bind_to_kizen() {
  if (!client_) {
    auto made = kizen::client::create(executor_, config::kizen_client_settings(cfg_.kizen), loggers_("kizen"));
    if (!made) co_return ks::fail(startup_problem{false, {made.error().message}});
    client_ = std::move(*made);
    background_client_ = client_->on_lane(kizen::request_lane::background);
  }
  auto bound = co_await engine::bind_to_kizen(*client_, cfg_);
  if (!bound) co_return ks::fail(startup_problem{bound.error().retryable, std::move(bound.error().problems)});
  // Where rows made for new Kizen records get their key: the key column's default, or the record id.
  // And whether the pull's lookups have their index (lookup_index.hpp): slow, not wrong, without.
  std::string failure;
  std::vector<std::string> warnings;
  try {
    co_await work_pool_->run([&bound, &warnings](pqxx::connection& conn) {
      pqxx::read_transaction tx(conn);
      const pg::table_inspector inspector;
      for (auto& [name, binding] : *bound) {
        binding.table.new_key = inspector.new_key_source(tx, binding.table);
        if (auto w = pg::lookup_index_warning(tx, binding.table); !w.empty()) warnings.push_back(std::move(w));
      }
    });
  } catch (const std::exception& e) {
    failure = e.what();
  }
  if (!failure.empty()) co_return ks::fail(startup_problem{true, {"PostgreSQL unreachable: " + failure}});
  for (const auto& w : warnings) loggers_("engine")->warn(ks::log_line("lookup index missing", {{"detail", w}}));
  bindings_ = std::move(*bound);
  co_return ks::ok;
}

}  // namespace ks::engine
