#pragma once
// Applies one merged change to Kizen (DESIGN.md "To Kizen"). Identity resolution, in order:
// the known identity (PATCH; a 404 drops it and resolves again, once) → the row's
// entity_id_column → upsert by the lookup value → search by match_field, then PATCH or add.
// Deletes archive. Talks only to Kizen: the caller supplies what it knows and persists the result.

#include "connectors/kizen/client.hpp"
#include "daemon/engine/apply_outcome.hpp"
#include "daemon/engine/change_merger.hpp"
#include "daemon/engine/field_binding.hpp"
#include "daemon/engine/write_planner.hpp"

#include <boost/asio/awaitable.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <spdlog/logger.h>
#include <string>

namespace ks::engine {

class change_applier {
 public:
  // Called before a non-idempotent create (add) is sent, so a retry knows one may have landed.
  using before_add_hook = std::function<boost::asio::awaitable<void>()>;

  change_applier(kizen::client& client, std::shared_ptr<spdlog::logger> logger);

  boost::asio::awaitable<apply_outcome> apply(const object_binding& object, const merged_change& change,
                                              const std::optional<std::string>& known_entity_id,
                                              const reference_lookup& references,
                                              const before_add_hook& before_add);

 private:
  boost::asio::awaitable<apply_outcome> archive(const object_binding& object, const merged_change& change,
                                                const std::optional<std::string>& known_entity_id);
  boost::asio::awaitable<apply_outcome> create(const object_binding& object, const merged_change& change,
                                               const reference_lookup& references,
                                               const std::optional<std::string>& stale_entity_id,
                                               const before_add_hook& before_add, int requests_so_far);

  kizen::client& client_;
  std::shared_ptr<spdlog::logger> logger_;
};

// The Kizen request fields of planned writes.
std::vector<kizen::field_write> to_field_writes(const std::vector<planned_write>& writes);

// An outcome for a failed request: retry (retryable) or dead (permanent).
apply_outcome failure_outcome(const kizen::error& e, std::string_view what);

}  // namespace ks::engine
