#pragma once
// Child coroutines of one owner, and the one way to wait for them all to end: spawn() starts a
// child on the executor, join() returns once none is running. A child's exception does not
// propagate; it goes to the group's error handler (which logs it) and the child counts as ended.
//
//   task_group children(executor, log_errors);
//   children.spawn("listener", listener.run(...));
//   ...
//   co_await children.join();
//
// The group must outlive its children: join() before destroying it. Executor thread only.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstddef>
#include <exception>
#include <functional>
#include <string>
#include <string_view>

namespace ks {

class task_group {
 public:
  using error_handler = std::function<void(std::string_view task, std::exception_ptr error)>;

  explicit task_group(boost::asio::any_io_executor executor, error_handler on_error = {});
  task_group(const task_group&) = delete;
  task_group& operator=(const task_group&) = delete;

  // Starts `task` as a child named `name` (the name is what the error handler is told).
  void spawn(std::string name, boost::asio::awaitable<void> task);
  std::size_t running() const { return running_; }
  // Returns once every child has ended (at once when none runs). Several joiners may wait.
  boost::asio::awaitable<void> join();

 private:
  boost::asio::any_io_executor executor_;
  error_handler on_error_;
  boost::asio::steady_timer idle_;  // cancelled when the last child ends
  std::size_t running_ = 0;
};

}  // namespace ks
