#include "daemon/engine/db_pool.hpp"

#include <optional>
#include <pqxx/except>

namespace ks::engine {

db_pool::db_pool(std::string url, int threads, std::function<void(pqxx::connection&)> on_connect)
    : url_(std::move(url)), on_connect_(std::move(on_connect)) {
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { worker(); });
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
  std::optional<pqxx::connection> connection;
  const std::function<pqxx::connection&()> open = [&]() -> pqxx::connection& {
    if (connection && !connection->is_open()) connection.reset();
    if (!connection) {
      connection.emplace(url_);
      if (on_connect_) on_connect_(*connection);
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

}  // namespace ks::engine
