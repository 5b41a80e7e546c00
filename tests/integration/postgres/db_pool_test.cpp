// db_pool against a real PostgreSQL: results and exceptions reach the awaiting coroutine, jobs run
// off the Asio thread, database failures arrive classified, and a connection killed by the server is
// replaced by the next job.
#include "connectors/postgres/db_pool.hpp"

#include "tests/support/scratch_database.hpp"

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <pqxx/pqxx>

namespace net = boost::asio;
using ks::pg::db_error;
using ks::pg::db_failure;
using ks::pg::db_pool;

namespace {

ks::pg::pool_settings pool_of(const std::string& url, int connections, std::string application_name = "kizen-sync") {
  ks::pg::pool_settings s;
  s.connection.url = url;
  s.connection.application_name = std::move(application_name);
  s.connections = connections;
  return s;
}

template <class T>
T run_in_io(net::io_context& io, net::awaitable<T> a) {
  auto fut = net::co_spawn(io, std::move(a), net::use_future);
  io.restart();
  io.run();
  return fut.get();
}

}  // namespace

TEST(db_pool, returns_results_to_the_coroutine_from_another_thread) {
  ks::test::scratch_database db;
  db_pool pool(pool_of(db.url(), 2));
  net::io_context io;
  const auto io_thread = std::this_thread::get_id();
  auto [value, job_thread] = run_in_io(io, [&]() -> net::awaitable<std::pair<int, std::thread::id>> {
    co_return co_await pool.run([](pqxx::connection& c) {
      pqxx::nontransaction tx(c);
      return std::pair{tx.exec1("SELECT 40 + 2")[0].as<int>(), std::this_thread::get_id()};
    });
  }());
  EXPECT_EQ(value, 42);
  EXPECT_NE(job_thread, io_thread);
}

TEST(db_pool, exceptions_propagate_classified_and_void_jobs_work) {
  ks::test::scratch_database db;
  db_pool pool(pool_of(db.url(), 1));
  net::io_context io;
  try {
    run_in_io(io, [&]() -> net::awaitable<int> {
      co_await pool.run([](pqxx::connection& c) {
        pqxx::work tx(c);
        tx.exec0("SELECT * FROM no_such_table");
      });
      co_return 0;
    }());
    ADD_FAILURE() << "no exception";
  } catch (const db_error& e) {
    EXPECT_EQ(e.kind(), db_failure::sql);
    EXPECT_EQ(e.sqlstate(), "42P01");
    EXPECT_FALSE(e.transient());
  }
  // Exceptions that are not database failures pass through as they are.
  EXPECT_THROW(
      run_in_io(io,
                [&]() -> net::awaitable<int> {
                  co_return co_await pool.run([](pqxx::connection&) -> int { throw std::out_of_range("bug"); });
                }()),
      std::out_of_range);
  // The same thread keeps working after a failed job.
  EXPECT_EQ(run_in_io(io,
                      [&]() -> net::awaitable<int> {
                        co_return co_await pool.run(
                            [](pqxx::connection& c) { return pqxx::nontransaction(c).exec1("SELECT 7")[0].as<int>(); });
                      }()),
            7);
}

TEST(db_pool, reconnects_after_the_server_kills_the_connection) {
  ks::test::scratch_database db;
  db_pool pool(pool_of(db.url(), 1, "db_pool_test"));
  net::io_context io;
  auto backend_pid = [&] {
    return run_in_io(io, [&]() -> net::awaitable<int> {
      co_return co_await pool.run(
          [](pqxx::connection& c) { return pqxx::nontransaction(c).exec1("SELECT pg_backend_pid()")[0].as<int>(); });
    }());
  };
  const int first = backend_pid();
  {
    pqxx::connection admin(db.url());
    pqxx::nontransaction(admin).exec1("SELECT pg_terminate_backend(" + std::to_string(first) + ")");
  }
  // The job that meets the dead connection fails; the next one gets a fresh connection.
  int second = 0;
  for (int attempt = 0; attempt < 2 && second == 0; ++attempt) {
    try {
      second = backend_pid();
    } catch (const db_error& e) {
      EXPECT_EQ(e.kind(), db_failure::connection_lost) << e.what();
    }
  }
  EXPECT_NE(second, 0);
  EXPECT_NE(second, first);
  EXPECT_EQ(run_in_io(io,
                      [&]() -> net::awaitable<std::string> {
                        co_return co_await pool.run([](pqxx::connection& c) {
                          return pqxx::nontransaction(c).exec1("SHOW application_name")[0].as<std::string>();
                        });
                      }()),
            "db_pool_test");
}

TEST(db_pool, an_unreachable_server_is_a_lost_connection_without_the_password) {
  db_pool pool(pool_of("postgresql://u:s3cret@127.0.0.1:1/x?connect_timeout=2", 1));
  net::io_context io;
  try {
    run_in_io(io, [&]() -> net::awaitable<int> { co_return co_await pool.run([](pqxx::connection&) { return 1; }); }());
    ADD_FAILURE() << "connected to nothing";
  } catch (const db_error& e) {
    EXPECT_EQ(e.kind(), db_failure::connection_lost);
    EXPECT_TRUE(e.transient());
    EXPECT_EQ(std::string(e.what()).find("s3cret"), std::string::npos) << e.what();
  }
}
