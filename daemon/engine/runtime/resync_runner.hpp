#pragma once
// `kizen-sync resync`: a full load or repair of one object.
//   to_kizen   — queues every row of the table (key order, in batches) as a create/rewrite change
//                and applies them with an outbound worker of its own (a running daemon helps:
//                the outbox is shared and claims never overlap);
//   from_kizen — walks every record of the object in creation order and writes it to the table
//                like the inbound sync does.
// Progress is saved after every batch/page, so an interrupted resync (Ctrl-C, kill -9) resumes.

#include "common/result.hpp"
#include "config/config.hpp"
#include "daemon/engine/runtime/engine_parts.hpp"

#include <spdlog/logger.h>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace ks::engine {

struct resync_request {
  std::string object;
  bool to_kizen = true;
  bool restart = false;
};

struct resync_progress_report {
  std::string phase;  // "queueing", "applying", "pulling"
  std::int64_t done = 0;
  std::int64_t total = 0;
  double rate_per_second = 0;
  std::optional<std::chrono::seconds> eta;
};

struct resync_result {
  bool completed = false;  // false: interrupted (resumable)
  std::int64_t done = 0;
  std::int64_t total = 0;
  std::int64_t dead = 0;    // to_kizen: changes that ended dead-lettered
  std::int64_t failed = 0;  // from_kizen: records that could not be written
  bool resumed = false;
};

class resync_runner {
 public:
  using progress_callback = std::function<void(const resync_progress_report&)>;

  resync_runner(boost::asio::any_io_executor executor, config::config cfg, progress_callback on_progress,
                logger_factory loggers);
  ~resync_runner();

  // Fails with a readable reason for problems it cannot work around (unknown object, direction
  // not allowed by the mapping, schema not migrated, Kizen or PostgreSQL unreachable).
  boost::asio::awaitable<ks::result<resync_result, std::string>> run(resync_request request);
  // Stops after the current batch or page; run() then returns completed = false.
  void stop();

 private:
  struct parts;
  std::unique_ptr<parts> parts_;
};

}  // namespace ks::engine
