#include "connectors/postgres/db_pool.hpp"

#include "connectors/postgres/open_connection.hpp"

#include <sys/socket.h>
#include <algorithm>
#include <optional>
#include <pqxx/except>
#include <pqxx/nontransaction>

namespace ks::pg {

db_pool::db_pool(pool_settings settings)
    : settings_(std::move(settings)), running_(static_cast<std::size_t>(std::max(settings_.connections, 0))) {
  for (std::size_t i = 0; i < running_.size(); ++i) threads_.emplace_back([this, i] { worker(i); });
  if (settings_.job_deadline) watcher_ = std::thread([this] { watch_deadlines(); });
}

std::exception_ptr db_pool::classified_current_exception() {
  try {
    throw;
  } catch (const std::exception& e) {
    if (auto classified = classify(e)) return std::make_exception_ptr(std::move(*classified));
    return std::current_exception();
  } catch (...) {
    return std::current_exception();
  }
}

db_pool::~db_pool() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  watch_wake_.notify_all();
  for (auto& t : threads_) t.join();
  if (watcher_.joinable()) watcher_.join();
}

void db_pool::submit(std::unique_ptr<job> j) {
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(std::move(j));
  }
  wake_.notify_one();
}

std::size_t db_pool::queued() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

std::chrono::milliseconds db_pool::longest_running() const {
  std::lock_guard lock(mutex_);
  const auto now = std::chrono::steady_clock::now();
  std::chrono::milliseconds out{0};
  for (const auto& r : running_)
    if (r.busy) out = std::max(out, std::chrono::duration_cast<std::chrono::milliseconds>(now - r.since));
  return out;
}

// Shutting the socket down (not closing it: the fd stays the connection's) makes libpq's blocked
// read or write return at once; the job fails with a broken connection and the thread reconnects.
void db_pool::watch_deadlines() {
  const auto deadline = *settings_.job_deadline;
  const auto tick = std::clamp(deadline / 4, std::chrono::milliseconds(50), std::chrono::milliseconds(1000));
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    watch_wake_.wait_for(lock, tick);
    const auto now = std::chrono::steady_clock::now();
    for (auto& r : running_)
      if (r.busy && !r.cut && r.socket >= 0 && now - r.since > deadline) {
        ::shutdown(r.socket, SHUT_RDWR);
        r.cut = true;
      }
  }
}

void db_pool::worker(std::size_t slot) {
  std::unique_ptr<pqxx::connection> connection;
  const auto set_socket = [&](int socket) {
    std::lock_guard lock(mutex_);
    running_[slot].socket = socket;
  };
  const std::function<pqxx::connection&()> open = [&]() -> pqxx::connection& {
    if (connection && !connection->is_open()) connection.reset();
    if (!connection) {
      set_socket(-1);
      auto opened = open_connection(settings_.connection);
      if (!opened) throw db_error(db_failure::connection_lost, opened.error());
      connection = std::move(*opened);
      // A broken connection fails the job; this thread reconnects before the next one, setting
      // the session up again. (Deprecated in libpqxx 6, gone in 7, where it is the only way.)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
      connection->inhibit_reactivation(true);
#pragma GCC diagnostic pop
      // Server notices would go to stderr (libpq prints them there); our logs are JSON lines.
      std::string setup = "SET client_min_messages = error";
      if (settings_.statement_timeout)
        setup += "; SET statement_timeout = " + std::to_string(settings_.statement_timeout->count());
      pqxx::nontransaction(*connection).exec0(setup);
      set_socket(connection->sock());
    }
    return *connection;
  };
  for (;;) {
    std::unique_ptr<job> next;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      // Drain what is queued even when stopping: every awaiting coroutine gets its answer.
      if (queue_.empty()) return;
      next = std::move(queue_.front());
      queue_.pop_front();
      running_[slot].busy = true;
      running_[slot].cut = false;
      running_[slot].since = std::chrono::steady_clock::now();
    }
    next->execute(open);
    {
      std::lock_guard lock(mutex_);
      running_[slot].busy = false;
      // A cut socket is unusable even where libpq has not noticed yet.
      if (running_[slot].cut && connection) connection->disconnect();
    }
    // A job that broke the connection leaves it closed; the next job reconnects.
    if (connection && !connection->is_open()) {
      connection.reset();
      set_socket(-1);
    }
  }
}

}  // namespace ks::pg
