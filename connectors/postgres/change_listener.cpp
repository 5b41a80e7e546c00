#include "connectors/postgres/change_listener.hpp"

#include "connectors/postgres/open_connection.hpp"

#include "common/async/stoppable_sleep.hpp"
#include "common/backoff.hpp"
#include "common/log_line.hpp"

#include <poll.h>
#include <unistd.h>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>
#include <cctype>
#include <pqxx/errorhandler>
#include <pqxx/except>
#include <pqxx/notification>
#include <vector>

namespace ks::pg {
namespace asio = boost::asio;

namespace {

std::string trimmed(std::string text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  return text;
}

// Collects payloads while libpqxx dispatches notifications (inside get_notifs()).
class payload_collector final : public pqxx::notification_receiver {
 public:
  payload_collector(pqxx::connection_base& c, const std::string& channel, std::vector<std::string>& sink)
      : pqxx::notification_receiver(c, channel), sink_(sink) {}
  void operator()(const std::string& payload, int) override { sink_.push_back(payload); }

 private:
  std::vector<std::string>& sink_;
};

// Server notices (e.g. the FATAL sent before a terminated connection closes) go to the log; the
// last one is kept, as it usually says why a connection was lost.
class notice_logger final : public pqxx::errorhandler {
 public:
  notice_logger(pqxx::connection_base& c, std::shared_ptr<spdlog::logger> logger)
      : pqxx::errorhandler(c), logger_(std::move(logger)) {}
  bool operator()(const char msg[]) noexcept override {
    try {
      last_ = trimmed(msg);
      const bool serious = last_.starts_with("FATAL") || last_.starts_with("ERROR") || last_.starts_with("WARNING");
      if (logger_)
        logger_->log(serious ? spdlog::level::warn : spdlog::level::info,
                     ks::log_line("postgres notice", {{"notice", last_}}));
    } catch (...) {
      // Nothing may escape into libpq's notice callback.
    }
    return false;
  }
  const std::string& last() const { return last_; }

 private:
  std::shared_ptr<spdlog::logger> logger_;
  std::string last_;
};

// One listening connection. Teardown order matters: disconnect first, so the receiver's
// destructor does not send UNLISTEN (libpqxx 6 would even reconnect for it), then the handlers,
// then the connection.
struct listen_session {
  std::unique_ptr<pqxx::connection> conn;
  std::vector<std::string> payloads;
  std::unique_ptr<payload_collector> receiver;
  std::unique_ptr<notice_logger> notices;

  listen_session() = default;
  listen_session(const listen_session&) = delete;
  listen_session& operator=(const listen_session&) = delete;
  ~listen_session() {
    if (conn) conn->disconnect();
    receiver.reset();
    notices.reset();
    conn.reset();
  }
};

// What open_session produces: a session, or why there is none. (co_spawn needs a
// default-constructible result, which ks::result is not.)
struct session_result {
  std::unique_ptr<listen_session> session;
  std::string error;
};

// Runs on the blocking pool: connect, then LISTEN (issued by the receiver's constructor).
asio::awaitable<session_result> open_session(connection_settings settings, std::string channel,
                                             std::shared_ptr<spdlog::logger> logger) {
  auto conn = open_connection(settings);
  if (!conn) co_return session_result{nullptr, std::move(conn.error())};
  auto s = std::make_unique<listen_session>();
  s->conn = std::move(*conn);
  try {
    s->notices = std::make_unique<notice_logger>(*s->conn, logger);
    s->receiver = std::make_unique<payload_collector>(*s->conn, channel, s->payloads);
  } catch (const pqxx::failure& e) {
    co_return session_result{nullptr, "LISTEN " + channel + " failed: " + trimmed(e.what())};
  }
  // libpqxx swallows a broken connection during LISTEN; do not report success for it.
  if (!s->conn->is_open()) co_return session_result{nullptr, "LISTEN " + channel + " failed: the connection was lost"};
  co_return session_result{std::move(s), {}};
}

// Completes when `d` is readable. Asio registers descriptors edge-triggered and does not
// re-check readiness for wait operations, so data that arrived before the wait was queued (while
// the previous notification was being handled) would only be seen at the next edge. Checking
// with poll() after queueing closes that gap: if readable already, the wait is cancelled and
// completes as success.
template <class CompletionToken>
auto async_wait_readable(asio::posix::stream_descriptor& d, CompletionToken&& token) {
  return asio::async_initiate<CompletionToken, void(boost::system::error_code)>(
      [&d](auto handler) {
        auto readable_now = std::make_shared<bool>(false);
        auto slot = asio::get_associated_cancellation_slot(handler);
        auto ex = asio::get_associated_executor(handler, d.get_executor());
        d.async_wait(asio::posix::descriptor_base::wait_read,
                     asio::bind_cancellation_slot(
                         slot, asio::bind_executor(
                                   ex, [readable_now, h = std::move(handler)](boost::system::error_code ec) mutable {
                                     if (ec == asio::error::operation_aborted && *readable_now) ec = {};
                                     std::move(h)(ec);
                                   })));
        pollfd p{d.native_handle(), POLLIN, 0};
        if (::poll(&p, 1, 0) > 0) {
          *readable_now = true;
          d.cancel();
        }
      },
      token);
}

}  // namespace

change_listener::change_listener(asio::any_io_executor executor, std::string url, std::string channel,
                                 std::shared_ptr<spdlog::logger> logger, change_listener_options options)
    : executor_(std::move(executor)),
      channel_(std::move(channel)),
      logger_(std::move(logger)),
      options_(std::move(options)) {
  settings_.url = std::move(url);
  settings_.application_name = options_.application_name;
  settings_.connect_timeout = options_.connect_timeout;
  settings_.keepalive_idle = options_.keepalive_idle;
}

change_listener::~change_listener() { blocking_.join(); }

asio::awaitable<void> change_listener::run(std::function<void(std::string_view)> on_notify, std::stop_token stop) {
  backoff delays(options_.reconnect);
  asio::steady_timer timer(executor_);
  const std::string server = redact_url(settings_.url);
  while (!stop.stop_requested()) {
    std::string failure;
    // The connect runs on the blocking pool and is bounded by connect_timeout; a stop takes
    // effect once it returns.
    auto opened = co_await asio::co_spawn(blocking_, open_session(settings_, channel_, logger_), asio::use_awaitable);
    if (!opened.session) {
      failure = std::move(opened.error);
    } else {
      std::unique_ptr<listen_session> session = std::move(opened.session);
      const int fd = ::dup(session->conn->sock());
      if (fd < 0) {
        failure = "cannot watch the connection's socket (dup failed)";
      } else {
        asio::posix::stream_descriptor socket(executor_, fd);
        const std::stop_callback on_stop(stop, [&socket] { socket.cancel(); });
        ++connections_;
        delays.reset();
        if (logger_)
          logger_->info(ks::log_line("change listener connected", {{"channel", channel_}, {"server", server}}));
        on_notify("");
        try {
          while (!stop.stop_requested()) {
            // Drain what libpq has (LISTEN's reply may have carried notifications) before
            // waiting for the socket again.
            session->conn->get_notifs();
            if (!session->conn->is_open()) throw pqxx::broken_connection("connection closed");
            for (const auto& payload : std::exchange(session->payloads, {})) on_notify(payload);
            co_await async_wait_readable(socket, asio::use_awaitable);
          }
        } catch (const pqxx::broken_connection& e) {
          // libpqxx's own message is generic; the server's last word says more.
          const auto& notice = session->notices->last();
          failure = "connection lost: " + (notice.empty() ? trimmed(e.what()) : notice);
        } catch (const boost::system::system_error& e) {
          failure = "waiting on the connection failed: " + e.code().message();
        }
      }
    }
    if (stop.stop_requested()) break;
    const auto delay = delays.next();
    if (logger_)
      logger_->warn(
          ks::log_line("change listener disconnected", {{"channel", channel_},
                                                        {"server", server},
                                                        {"error", failure},
                                                        {"retry_in_ms", static_cast<std::int64_t>(delay.count())}}));
    co_await stoppable_sleep(timer, delay, stop);
  }
  if (logger_) logger_->info(ks::log_line("change listener stopped", {{"channel", channel_}}));
}

}  // namespace ks::pg
