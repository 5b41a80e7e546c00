#include "daemon/engine/runtime/sync_engine.hpp"

#include "common/async/stoppable_sleep.hpp"
#include "common/async/task_group.hpp"
#include "common/log_line.hpp"
#include "connectors/postgres/capture_trigger.hpp"
#include "daemon/engine/failure.hpp"

namespace ks::engine {

namespace net = boost::asio;

sync_engine::sync_engine(net::any_io_executor executor, config::config cfg, metrics_sink& metrics,
                         logger_factory loggers)
    : executor_(executor),
      cfg_(std::move(cfg)),
      settings_(engine_settings_from(cfg_)),
      metrics_(metrics),
      logger_(loggers("engine")),
      parts_(executor, cfg_, settings_, std::move(loggers), "kizen-sync"),
      timer_(executor) {
  metrics_.describe("kizen_sync_up", metrics_sink::kind::gauge, "1 once the sync runs, 0 while starting.");
  metrics_.set("kizen_sync_up", {}, 0);
}

sync_engine::~sync_engine() = default;

net::awaitable<ks::result<void, std::vector<std::string>>> sync_engine::start() {
  backoff delays(settings_.startup);
  const auto stop = stop_.get_token();
  auto wait = [&](const std::string& why) -> net::awaitable<void> {
    if (waiting_for_ != why) logger_->warn(log_line("waiting before the sync can start", {{"reason", why}}));
    waiting_for_ = why;
    co_await stoppable_sleep(timer_, delays.next(), stop);
  };

  // 1. The sync schema is migrated and the capture triggers match the config.
  while (!stop.stop_requested()) {
    auto checked = co_await parts_.check_schema(/*verify_triggers=*/true);
    if (checked) break;
    if (!checked.error().retryable) co_return ks::fail(std::move(checked.error().problems));
    co_await wait(checked.error().problems.front());
  }

  // 2. Kizen's field metadata: every mapped object and field exists, with its id and type.
  delays.reset();
  while (!stop.stop_requested()) {
    auto bound = co_await parts_.bind_to_kizen();
    if (bound) break;
    if (!bound.error().retryable) co_return ks::fail(std::move(bound.error().problems));
    co_await wait(bound.error().problems.front());
  }
  if (stop.stop_requested()) co_return ks::ok;

  outbound_ = std::make_unique<outbound_worker>(executor_, cfg_.postgres.schema, parts_.bindings(), parts_.client(),
                                                parts_.claim_pool(), parts_.work_pool(), metrics_,
                                                parts_.logger("outbound"), settings_.outbound);
  inbound_ =
      std::make_unique<inbound_worker>(executor_,
                                       inbound_context{cfg_.postgres.schema, parts_.bindings(), parts_.background_client(),
                                                       parts_.inbound_pool(), metrics_, parts_.logger("inbound")},
                                       settings_.inbound);
  std::vector<std::string> objects;
  for (const auto& o : cfg_.objects) objects.push_back(o.object);
  housekeeping_ =
      std::make_unique<housekeeping>(executor_, cfg_.postgres.schema, std::move(objects), parts_.work_pool(),
                                     *outbound_, metrics_, parts_.logger("engine"), settings_.housekeeping);
  listener_ = std::make_unique<pg::change_listener>(
      executor_, cfg_.postgres.url, pg::notify_channel(cfg_.postgres.schema), parts_.logger("listener"));
  started_ = true;
  waiting_for_.clear();
  metrics_.set("kizen_sync_up", {}, 1);
  logger_->info(log_line("sync started", {{"objects", static_cast<std::int64_t>(parts_.bindings().size())},
                                          {"schema", cfg_.postgres.schema}}));
  co_return ks::ok;
}

net::awaitable<void> sync_engine::run() {
  if (!started_) co_return;
  const auto stop = stop_.get_token();
  task_group background(executor_, [this](std::string_view task, std::exception_ptr e) {
    logger_->error(
        log_line("background task failed", {{"task", std::string(task)}, {"error", failure_of(e).describe()}}));
  });
  // The listener wakes the outbound worker on every commit (and after each reconnect).
  background.spawn("listener", listener_->run([this](std::string_view) { outbound_->wake(); }, stop));
  background.spawn("housekeeping", housekeeping_->run(stop));
  background.spawn("inbound", inbound_->run(stop));
  co_await outbound_->run(stop);  // returns after stop(), once in-flight work is done
  co_await background.join();
}

void sync_engine::stop() {
  stop_.request_stop();
  timer_.cancel();
}

std::string sync_engine::stuck_reason() const {
  if (!outbound_) return "";
  const auto running = outbound_->claim_running_for();
  if (running <= outbound_->settings().claim_deadline) return "";
  return "the outbox claim has not answered for " + std::to_string(running.count() / 1000) +
         " s (PostgreSQL or the network stopped answering)";
}

ks::health sync_engine::health() const {
  if (!started_) return {false, waiting_for_.empty() ? "starting" : "starting: " + waiting_for_};
  if (const auto stuck = stuck_reason(); !stuck.empty()) return {false, stuck};
  if (outbound_ && outbound_->breaker().open()) {
    const auto& b = outbound_->breaker();
    const auto now = std::chrono::steady_clock::now();
    const auto secs = [&](auto d) {
      return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(d).count());
    };
    std::string detail =
        "Kizen unavailable for " + secs(now - b.open_since().value_or(now)) + " s; outbound paused, probing";
    if (const auto probe = b.next_probe(); probe && *probe > now) detail += " (next in " + secs(*probe - now) + " s)";
    return {false, detail + ": " + b.reason()};
  }
  if (outbound_ && outbound_->claim_failure())
    return {false, "outbox claim failed: " + outbound_->claim_failure()->describe()};
  if (inbound_ && !inbound_->failing_pulls().empty()) {
    std::string detail;
    for (const auto& [object, f] : inbound_->failing_pulls())
      detail += (detail.empty() ? "" : "; ") + ("pull of " + object + " failing: " + f.describe());
    return {false, detail};
  }
  // Healthy, but records wait to be applied: say so (the status page and `status` list them).
  std::string detail;
  if (housekeeping_)
    for (const auto& f : housekeeping_->inbound_failures())
      detail += (detail.empty() ? "" : "; ") + std::to_string(f.count) + " Kizen record(s) of " + f.object +
                " in the inbound failure list (last: " + f.last_reason + ")";
  return {true, detail};
}

}  // namespace ks::engine
