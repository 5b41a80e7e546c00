#pragma once
// Runs blocking libpqxx work on dedicated threads, one connection each, and lets Asio coroutines
// await it: libpqxx never blocks the thread that serves Asio.
//
//   auto n = co_await pool.run([&](pqxx::connection& c) { pqxx::work tx(c); ...; return n; });
//
// Exceptions thrown by the job reach the coroutine; database failures (connection failures
// included) arrive classified as pg::db_error. A broken connection is dropped and reopened by the
// next job on that thread (never silently under a job: libpqxx's own reactivation would drop a
// session's advisory locks unnoticed). With a job deadline, a job that outlives it has its
// socket shut down and fails as a lost connection.
//
// Capture by reference in the job (`[&]`, `[this, &x]`): the awaiting coroutine's frame outlives
// the job. GCC 12 miscompiles a lambda temporary with non-trivial by-value captures (a string, a
// vector) inside a co_await operand: the captures are relocated bitwise and ASan reports a bad free.

#include "connectors/postgres/db_error.hpp"
#include "connectors/postgres/db_pool_settings.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <pqxx/connection>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

namespace ks::pg {

class db_pool {
 public:
  explicit db_pool(pool_settings settings);
  ~db_pool();
  db_pool(const db_pool&) = delete;
  db_pool& operator=(const db_pool&) = delete;

  // Not itself a coroutine: GCC 12 miscompiles a coroutine that takes a callable with captured
  // strings by value (the captures are copied bitwise into the frame, so ASan sees a bad free).
  // The callable travels as an initiation argument instead.
  template <class F>
  auto run(F fn) {
    using R = std::invoke_result_t<F&, pqxx::connection&>;
    if constexpr (std::is_void_v<R>) {
      return boost::asio::async_initiate<decltype(boost::asio::use_awaitable), void(std::exception_ptr)>(
          initiation<R>{this}, boost::asio::use_awaitable, std::move(fn));
    } else {
      return boost::asio::async_initiate<decltype(boost::asio::use_awaitable), void(std::exception_ptr, R)>(
          initiation<R>{this}, boost::asio::use_awaitable, std::move(fn));
    }
  }

  // Jobs waiting for a thread (for metrics and tests).
  std::size_t queued() const;
  // How long the longest-running job has been running (zero when none runs).
  std::chrono::milliseconds longest_running() const;

 private:
  struct job {
    virtual ~job() = default;
    // Runs on a pool thread; `conn` opens the connection lazily (and may throw).
    virtual void execute(const std::function<pqxx::connection&()>& conn) = 0;
  };

  template <class F, class Handler, class R>
  struct job_impl final : job {
    job_impl(F f, Handler h) : fn(std::move(f)), handler(std::move(h)), work(boost::asio::make_work_guard(handler)) {}
    void execute(const std::function<pqxx::connection&()>& conn) override {
      std::exception_ptr error;
      if constexpr (std::is_void_v<R>) {
        try {
          fn(conn());
        } catch (...) {
          error = classified_current_exception();
        }
        auto ex = boost::asio::get_associated_executor(handler);
        boost::asio::post(ex, [h = std::move(handler), error]() mutable { std::move(h)(error); });
      } else {
        R value{};
        try {
          value = fn(conn());
        } catch (...) {
          error = classified_current_exception();
        }
        auto ex = boost::asio::get_associated_executor(handler);
        boost::asio::post(
            ex, [h = std::move(handler), error, v = std::move(value)]() mutable { std::move(h)(error, std::move(v)); });
      }
    }
    F fn;
    Handler handler;
    // Keeps the awaiting io_context from running out of work while the job is queued.
    boost::asio::executor_work_guard<boost::asio::associated_executor_t<Handler>> work;
  };

  template <class R>
  struct initiation {
    db_pool* pool;
    template <class Handler, class F>
    void operator()(Handler&& handler, F&& fn) const {
      pool->submit(std::make_unique<job_impl<std::decay_t<F>, std::decay_t<Handler>, R>>(
          std::forward<F>(fn), std::forward<Handler>(handler)));
    }
  };

  // The exception being handled, as a db_error where it is a database failure.
  static std::exception_ptr classified_current_exception();
  void submit(std::unique_ptr<job> j);
  void worker(std::size_t slot);
  void watch_deadlines();

  // What a thread is running, for the deadline watch (under mutex_).
  struct running_job {
    bool busy = false;
    std::chrono::steady_clock::time_point since;
    int socket = -1;  // of the thread's connection, -1 while it has none
    bool cut = false;
  };

  pool_settings settings_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::unique_ptr<job>> queue_;
  bool stopping_ = false;
  std::vector<running_job> running_;
  std::condition_variable watch_wake_;
  std::vector<std::thread> threads_;
  std::thread watcher_;
};

}  // namespace ks::pg
