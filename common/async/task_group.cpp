#include "common/async/task_group.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace ks {

namespace net = boost::asio;

task_group::task_group(net::any_io_executor executor, error_handler on_error)
    : executor_(executor), on_error_(std::move(on_error)), idle_(executor) {}

void task_group::spawn(std::string name, net::awaitable<void> task) {
  ++running_;
  net::co_spawn(executor_, std::move(task), [this, name = std::move(name)](std::exception_ptr error) {
    --running_;
    if (error && on_error_) on_error_(name, error);
    if (running_ == 0) idle_.cancel();
  });
}

net::awaitable<void> task_group::join() {
  while (running_ > 0) {
    idle_.expires_at(std::chrono::steady_clock::time_point::max());
    co_await idle_.async_wait(net::as_tuple(net::use_awaitable));
  }
}

}  // namespace ks
