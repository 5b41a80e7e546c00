#include "connectors/postgres/db_pool.hpp"

#include "connectors/postgres/open_connection.hpp"

#include <optional>
#include <pqxx/except>
#include <pqxx/nontransaction>

namespace ks::pg {

db_pool::db_pool(pool_settings settings) : settings_(std::move(settings)) {
  for (int i = 0; i < settings_.connections; ++i) threads_.emplace_back([this] { worker(); });
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
  for (auto& t : threads_) t.join();
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

void db_pool::worker() {
  std::unique_ptr<pqxx::connection> connection;
  const std::function<pqxx::connection&()> open = [&]() -> pqxx::connection& {
    if (connection && !connection->is_open()) connection.reset();
    if (!connection) {
      auto opened = open_connection(settings_.connection);
      if (!opened) throw db_error(db_failure::connection_lost, opened.error());
      connection = std::move(*opened);
      // Server notices would go to stderr (libpq prints them there); our logs are JSON lines.
      pqxx::nontransaction(*connection).exec0("SET client_min_messages = error");
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
    }
    next->execute(open);
    // A job that broke the connection leaves it closed; the next job reconnects.
    if (connection && !connection->is_open()) connection.reset();
  }
}

}  // namespace ks::pg
