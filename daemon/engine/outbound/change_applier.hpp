#pragma once
// Applies one merged change to Kizen: drives identity_resolution, making each Kizen call it asks
// for and feeding the reply back. Talks only to Kizen: the caller supplies what it knows and
// persists the outcome.

#include "connectors/kizen/client.hpp"
#include "daemon/engine/mapping/field_binding.hpp"
#include "daemon/engine/outbound/merged_change.hpp"
#include "daemon/engine/outbound/outbound_outcome.hpp"
#include "daemon/engine/outbound/write_plan.hpp"

#include <spdlog/logger.h>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace ks::engine {

class change_applier {
 public:
  // Called before a request that may create a record (upsert, add) is sent, so a retry, or a
  // restarted daemon, knows one may have landed (the caller counts an attempt).
  using before_create_hook = std::function<boost::asio::awaitable<void>()>;

  // `start_by`: no request starts after it (the key's lease must outlast every request made for
  // it); the outcome is then a retry that spends no attempt.
  change_applier(kizen::client& client, std::shared_ptr<spdlog::logger> logger);

  boost::asio::awaitable<outbound_outcome> apply(const object_binding& object, const merged_change& change,
                                                 const std::optional<std::string>& known_entity_id,
                                                 const kizen_id_lookup& references,
                                                 const before_create_hook& before_create,
                                                 std::optional<std::chrono::steady_clock::time_point> start_by = {});

 private:
  kizen::client& client_;
  std::shared_ptr<spdlog::logger> logger_;
};

}  // namespace ks::engine
