#include "tests/integration/inbound/inbound_fixture.hpp"

#include "config/config_loader.hpp"
#include "config/connector_settings.hpp"
#include "daemon/engine/runtime/engine_settings.hpp"
#include "daemon/service/logging.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace ks::test::inbound {

namespace json = boost::json;
namespace net = boost::asio;

namespace {

std::string object_header(const std::string& object, const std::string& table, const std::string& lookup,
                          const object_options& o) {
  return "  - object: " + object + "\n    table: " + table +
         "\n    key: id\n    entity_id_column: kizen_id\n"
         "    lookup: " +
         lookup + "\n    direction: " + o.direction + "\n    conflict: " + o.conflict +
         "\n    pull_interval: " + o.pull_interval + "\n    reconcile_interval: " + o.reconcile_interval +
         "\n    on_archive: " + o.on_archive + "\n    fields:\n";
}

}  // namespace

std::string companies_yaml(const object_options& o) {
  return object_header("companies", "public.companies", "name", o) +
         "      - {column: name, field: name}\n"
         "      - {column: domain, field: domain}\n"
         "      - {column: employees, field: employees}\n"
         "      - {column: industry, field: industry}\n"
         "      - {column: contact_ids, field: contacts, references: client_client, multi: true}\n";
}

std::string contacts_yaml(const object_options& o) {
  return object_header("client_client", "public.contacts", "email", o) +
         "      - {column: email, field: email}\n"
         "      - {column: first_name, field: first_name}\n"
         "      - {column: last_name, field: last_name}\n"
         "      - {column: company_id, field: company, references: companies}\n"
         "      - {column: tags, field: tags, multi: true}\n"
         "      - {column: stage, field: stage}\n"
         "      - {column: lead_score, field: lead_score}\n"
         "      - {column: newsletter, field: newsletter}\n"
         "      - {column: birthday, field: birthday}\n"
         "      - {column: last_contacted, field: last_contacted}\n"
         "      - {column: lifetime_value, field: lifetime_value}\n"
         "      - {column: discount_rate, field: discount_rate}\n";
}

std::vector<logged_request> writes_in(const request_log& log, const std::string& entity_id) {
  std::vector<logged_request> out;
  for (const auto& r : log.requests) {
    const bool write = r.method == "PATCH" || r.method == "PUT" || r.method == "DELETE" ||
                       (r.method == "POST" && r.path_template != search_path);
    if (!write) continue;
    if (!entity_id.empty() && r.entity_id() != entity_id) continue;
    out.push_back(r);
  }
  return out;
}

// --- engine_harness ----------------------------------------------------------------------------

engine_harness::engine_harness(const std::string& config_path,
                               const std::function<void(engine::engine_settings&)>& tune)
    : guard_(net::make_work_guard(io_)), thread_([this] { io_.run(); }) {
  auto loaded = config::load_config_file(config_path, config::process_environment(), nullptr);
  if (!loaded) {
    guard_.reset();
    thread_.join();
    std::string all;
    for (const auto& p : loaded.error()) all += p.to_string() + "\n";
    throw std::runtime_error("engine_harness: bad config:\n" + all);
  }
  cfg_ = std::move(*loaded);
  service::set_log_level(spdlog::level::info);
  settings_ = engine::engine_settings_from(cfg_);
  if (tune) tune(settings_);
  parts_ = std::make_unique<engine::engine_parts>(io_.get_executor(), cfg_, settings_, service::make_logger, "harness");
  auto bound = await(parts_->bind_to_kizen());
  if (!bound) {
    std::string all;
    for (const auto& p : bound.error().problems) all += p + "\n";
    throw std::runtime_error("engine_harness: cannot bind the config to Kizen:\n" + all);
  }
  inbound_ = std::make_unique<engine::inbound_worker>(
      io_.get_executor(),
      engine::inbound_context{cfg_.postgres.schema, parts_->bindings(), parts_->client(), parts_->work_pool(), metrics_,
                              service::make_logger("inbound")},
      settings_.inbound);
}

engine_harness::~engine_harness() {
  inbound_.reset();
  // The client's connections close on the io thread.
  net::post(io_, [this] { parts_.reset(); });
  guard_.reset();
  if (thread_.joinable()) thread_.join();
}

void engine_harness::await_void(net::awaitable<void> work, std::chrono::milliseconds timeout) {
  std::promise<void> promise;
  auto future = promise.get_future();
  net::co_spawn(io_, std::move(work), [&promise](std::exception_ptr e) {
    if (e)
      promise.set_exception(e);
    else
      promise.set_value();
  });
  if (future.wait_for(timeout) != std::future_status::ready)
    throw std::runtime_error("engine_harness: no answer within " + std::to_string(timeout.count()) + " ms");
  future.get();
}

engine::inbound_stats engine_harness::pull(const std::string& object) {
  return await(inbound_->pull(parts_->bindings().at(object)));
}

engine::inbound_stats engine_harness::reconcile(const std::string& object) {
  return await(inbound_->reconcile(parts_->bindings().at(object)));
}

engine::reconcile_walk::slice engine_harness::reconcile_step(const std::string& object, int pages) {
  return await(inbound_->reconcile_step(parts_->bindings().at(object), pages));
}

bool engine_harness::run_outbound_until(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  auto settings = settings_.outbound;
  settings.poll_interval = std::chrono::milliseconds(200);
  engine::outbound_worker worker(io_.get_executor(), cfg_.postgres.schema, parts_->bindings(), parts_->client(),
                                 parts_->claim_pool(), parts_->work_pool(), metrics_, service::make_logger("outbound"),
                                 settings);
  std::stop_source stop;
  std::promise<void> finished;
  auto ended = finished.get_future();
  net::post(io_, [&] {
    net::co_spawn(io_, worker.run(stop.get_token()), [&finished](std::exception_ptr) { finished.set_value(); });
  });
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  bool held = false;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) {
      held = true;
      break;
    }
    std::this_thread::sleep_for(100ms);
  }
  net::post(io_, [&] { stop.request_stop(); });
  if (ended.wait_for(settle_timeout) != std::future_status::ready)
    throw std::runtime_error("engine_harness: the outbound worker did not stop");
  return held;
}

// --- inbound_test ------------------------------------------------------------------------------

std::int64_t inbound_test::pending_changes() {
  return count("SELECT count(*) FROM kizen_sync.outbox WHERE state = 'pending'");
}

std::map<std::string, std::string> inbound_test::versions(const std::string& table) {
  pqxx::nontransaction tx(db());
  std::map<std::string, std::string> out;
  for (const auto& r : tx.exec("SELECT id::text, xmin::text FROM " + table))
    out[r[0].as<std::string>()] = r[1].as<std::string>();
  return out;
}

std::string inbound_test::prepare(const config_options& options) {
  sql(tables_sql);
  const auto path = write_config(options);
  const auto r = run_kizen_sync({"migrate", "-c", path}, 120s, daemon_env());
  EXPECT_EQ(r.exit_code, 0) << "kizen-sync migrate failed:\n" << r.out << r.err;
  return path;
}

bool inbound_test::wait_until(const std::string& what, const std::function<bool()>& done,
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
    if (daemon_ && !daemon_->running()) {
      ADD_FAILURE() << "the daemon exited (status " << daemon_->exit_status().value_or(-1) << ") while waiting for "
                    << what;
      return false;
    }
    if (std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(100ms);
  }
  ADD_FAILURE() << "timed out after " << timeout.count() << " ms waiting for " << what
                << (last_error.empty() ? "" : " (last check threw: " + last_error + ")");
  return false;
}

std::string inbound_test::last_pull_at(const std::string& object) {
  return scalar("SELECT last_pull_at::text FROM kizen_sync.pull_cursors WHERE object = '" + object + "'");
}

bool inbound_test::wait_for_pulls(const std::string& object, int n) {
  std::string seen = last_pull_at(object);
  int moves = 0;
  return wait_until(std::to_string(n) + " more pulls of " + object, [&] {
    const auto now = last_pull_at(object);
    if (now != seen) {
      seen = now;
      ++moves;
    }
    return moves >= n;
  });
}

std::string inbound_test::add(const std::string& object, const std::string& fields_json) {
  const auto r = kizen().api_json("POST", "/api/records/" + object + "/add", R"({"fields":)" + fields_json + "}");
  return std::string(r.at("id").as_string());
}

void inbound_test::patch(const std::string& object, const std::string& id, const std::string& fields_json) {
  kizen().api_json("PATCH", "/api/records/" + object + "/" + id, R"({"fields":)" + fields_json + "}");
}

void inbound_test::archive(const std::string& object, const std::string& id) {
  kizen().api_json("DELETE", "/api/records/" + object + "/" + id);
}

std::string inbound_test::kizen_now() {
  const auto r = http_call(kizen().base_url(), "GET", "/__emulator/clock");
  return std::string(r.json().at("now").as_string());
}

std::int64_t inbound_test::request_mark() { return kizen().requests().last_seq(); }

std::string inbound_test::key_of(const std::string& object, const std::string& entity_id) {
  pqxx::nontransaction tx(db());
  const auto r = tx.exec_params("SELECT key FROM kizen_sync.identity_map WHERE object = $1 AND entity_id = $2::uuid",
                                object, entity_id);
  return r.empty() ? std::string() : r[0][0].as<std::string>();
}

bool inbound_test::in_sync(const std::string& object, const std::string& as_kizen_sql, std::string* why) {
  std::ostringstream problems;
  const auto state = kizen().state();
  pqxx::nontransaction tx(db());
  const auto rows = tx.exec(as_kizen_sql);
  std::map<std::string, std::string> entities;  // key → entity id
  for (const auto& r :
       tx.exec_params("SELECT key, entity_id::text FROM kizen_sync.identity_map WHERE object = $1", object))
    entities[r[0].as<std::string>()] = r[1].as<std::string>();
  std::set<std::string> matched;
  for (const auto& row : rows) {
    const std::string key = row[0].as<std::string>();
    const std::string id = entities.count(key) ? entities[key] : std::string();
    if (id.empty()) {
      problems << object << "/" << key << ": no identity\n";
      continue;
    }
    const auto* rec = state.find(id);
    if (rec == nullptr || rec->archived) {
      problems << object << "/" << key << ": no live record " << id << "\n";
      continue;
    }
    matched.insert(id);
    // As a reader of the API sees it: archived related records hidden, an unset checkbox false.
    json::object fields = rec->fields;
    for (auto it = fields.begin(); it != fields.end();) {
      json::value& v = it->value();
      if (v.is_array()) {
        json::array kept;
        for (const auto& item : v.as_array()) {
          const auto* target = item.is_string() ? state.find(item.as_string()) : nullptr;
          if (!(target && target->archived)) kept.push_back(item);
        }
        v = std::move(kept);
        if (v.as_array().empty()) {
          it = fields.erase(it);
          continue;
        }
      } else if (v.is_string()) {
        const auto* target = state.find(v.as_string());
        if (target && target->archived) {
          it = fields.erase(it);
          continue;
        }
      }
      ++it;
    }
    if (object == "client_client" && !fields.contains("newsletter")) fields["newsletter"] = false;
    const auto expected = canonical(json::parse(row[1].c_str()));
    const auto actual = canonical(fields);
    if (expected != actual)
      problems << object << "/" << key << " (record " << id << "):\n  table: " << expected << "\n  kizen: " << actual
               << "\n";
  }
  for (const auto* r : state.live(object))
    if (!matched.count(r->id))
      problems << object << ": live record " << r->id << " has no row: " << json::serialize(r->fields) << "\n";
  if (why) *why = problems.str();
  return problems.str().empty();
}

void inbound_test::expect_in_sync(const std::string& object, const std::string& as_kizen_sql) {
  std::string why;
  EXPECT_TRUE(in_sync(object, as_kizen_sql, &why)) << why;
}

}  // namespace ks::test::inbound
