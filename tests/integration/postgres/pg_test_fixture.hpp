#pragma once
// Shared by the ks_postgres integration tests: a scratch database with a connection, mappings
// built directly as config structs, outbox reading, and a change_listener running on a test
// io_context thread.

#include "config/config.hpp"
#include "connectors/postgres/change_listener.hpp"
#include "tests/support/scratch_database.hpp"
#include "tests/support/table_mappings.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <thread>
#include <vector>

namespace ks::pg::testing {

using ks::test::table;
using ks::test::tables;

// Generous: only guards against a hang, never measures anything.
inline constexpr auto hang_guard = std::chrono::seconds(60);

inline std::shared_ptr<spdlog::logger> test_logger() {
  auto logger = std::make_shared<spdlog::logger>("pg-test", std::make_shared<spdlog::sinks::stderr_sink_mt>());
  logger->set_pattern("%v");
  logger->set_level(spdlog::level::debug);
  return logger;
}

inline config::field_mapping field(std::string column, std::string name,
                                   config::sync_direction direction = config::sync_direction::both) {
  config::field_mapping f;
  f.column = std::move(column);
  f.field = std::move(name);
  f.direction = direction;
  return f;
}

// client_client on public.customers (see customers_ddl): key id, entity_id kizen_id, lookup
// email; score is owned by Kizen; `secret` is not mapped at all.
inline config::object_mapping contacts_mapping() {
  config::object_mapping m;
  m.object = "client_client";
  m.table_schema = "public";
  m.table = "customers";
  m.key = "id";
  m.entity_id_column = "kizen_id";
  m.lookup = "email";
  m.fields = {field("email", "email"), field("first_name", "first_name"),
              field("score", "lead_score", config::sync_direction::from_kizen)};
  return m;
}

inline const char* customers_ddl =
    "CREATE TABLE public.customers (id integer PRIMARY KEY, email text, first_name text,"
    " score integer, secret text, kizen_id uuid)";

// deals on public.deals: key code (text, unique constraint), no entity_id column, no lookup.
inline config::object_mapping deals_mapping() {
  config::object_mapping m;
  m.object = "deals";
  m.table_schema = "public";
  m.table = "deals";
  m.key = "code";
  m.fields = {field("name", "name"), field("amount", "amount")};
  return m;
}

inline const char* deals_ddl =
    "CREATE TABLE public.deals (code text NOT NULL UNIQUE, name text, amount numeric, note text)";

struct outbox_row {
  long long id = 0;
  std::string object;
  std::string key;
  std::string op;
  std::vector<std::string> changed_columns;
  boost::json::value new_row;  // null when SQL NULL
  boost::json::value old_row;
  std::string state;
  int attempts = 0;
  bool has_txid = false;
};

inline std::vector<outbox_row> read_outbox(pqxx::connection& conn, const std::string& schema = "kizen_sync") {
  pqxx::nontransaction tx(conn);
  std::vector<outbox_row> out;
  for (const auto& r : tx.exec("SELECT id, object, key, op, to_jsonb(changed_columns)::text,"
                               " coalesce(new_row::text, 'null'), coalesce(old_row::text, 'null'), state, attempts,"
                               " txid IS NOT NULL FROM " +
                               tx.quote_name(schema) + ".outbox ORDER BY id")) {
    outbox_row row;
    row.id = r[0].as<long long>();
    row.object = r[1].as<std::string>();
    row.key = r[2].as<std::string>();
    row.op = r[3].as<std::string>();
    const auto changed = boost::json::parse(r[4].as<std::string>());
    for (const auto& c : changed.as_array()) row.changed_columns.emplace_back(c.as_string());
    row.new_row = boost::json::parse(r[5].as<std::string>());
    row.old_row = boost::json::parse(r[6].as<std::string>());
    row.state = r[7].as<std::string>();
    row.attempts = r[8].as<int>();
    row.has_txid = r[9].as<bool>();
    out.push_back(std::move(row));
  }
  return out;
}

using columns = std::vector<std::string>;

class pg_test : public ::testing::Test {
 protected:
  void exec(const std::string& sql) {
    pqxx::work tx(*conn_);
    tx.exec(sql);
    tx.commit();
  }
  pqxx::row row(const std::string& sql) {
    pqxx::nontransaction tx(*conn_);
    return tx.exec1(sql);
  }
  long long scalar(const std::string& sql) { return row(sql)[0].as<long long>(); }

  ks::test::scratch_database db_;
  std::unique_ptr<pqxx::connection> conn_ = std::make_unique<pqxx::connection>(db_.url());
};

// A change_listener running on its own io_context thread; payloads are queued for the test.
class listener_harness {
 public:
  listener_harness(const std::string& url, const std::string& channel, change_listener_options options = {})
      : listener_(io_.get_executor(), url, channel, test_logger(), std::move(options)) {
    boost::asio::co_spawn(io_,
                          listener_.run(
                              [this](std::string_view payload) {
                                std::lock_guard lock(mutex_);
                                payloads_.emplace_back(payload);
                                changed_.notify_all();
                              },
                              stop_.get_token()),
                          [this](std::exception_ptr e) {
                            std::lock_guard lock(mutex_);
                            finished_ = true;
                            error_ = e;
                            changed_.notify_all();
                          });
    thread_ = std::thread([this] { io_.run(); });
  }

  ~listener_harness() { stop(); }

  // The next payload, or nothing if none came within the hang guard.
  std::optional<std::string> next() {
    std::unique_lock lock(mutex_);
    if (!changed_.wait_for(lock, hang_guard, [&] { return !payloads_.empty(); })) return std::nullopt;
    auto p = std::move(payloads_.front());
    payloads_.pop_front();
    return p;
  }

  // Waits for the (re)connect signal (empty payload), skipping nothing else: fails the test if
  // a non-empty payload comes first.
  void expect_connected() {
    const auto p = next();
    ASSERT_TRUE(p.has_value()) << "the listener did not connect";
    ASSERT_EQ(*p, "") << "expected the (re)connect signal";
  }

  // Asks run() to stop and waits for it to return; true when it returned normally.
  bool stop() {
    if (!thread_.joinable()) return stopped_cleanly_;
    boost::asio::post(io_, [this] { stop_.request_stop(); });
    {
      std::unique_lock lock(mutex_);
      changed_.wait_for(lock, hang_guard, [&] { return finished_; });
      stopped_cleanly_ = finished_ && !error_;
    }
    work_.reset();
    io_.stop();
    thread_.join();
    return stopped_cleanly_;
  }

  const change_listener& listener() const { return listener_; }

 private:
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_ = boost::asio::make_work_guard(io_);
  change_listener listener_;
  std::stop_source stop_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::string> payloads_;
  bool finished_ = false;
  bool stopped_cleanly_ = false;
  std::exception_ptr error_;
  std::thread thread_;
};

}  // namespace ks::pg::testing
