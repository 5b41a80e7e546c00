#pragma once
// Applies one merged change to Kizen (DESIGN.md "To Kizen"). Identity resolution, in order:
// the known identity (PATCH; a 404 drops it and resolves again, once) → the row's
// entity_id_column → upsert by the lookup value → search by match_field, then PATCH or add.
// Deletes archive. Talks only to Kizen: the caller supplies what it knows and persists the result.
//
// A create whose earlier attempt may have landed (change.attempts > 0: the answer was lost, or the
// daemon died) first looks for that record where the attempt put it: under the lookup values the
// row had after the earlier changes of the operation (it may have changed since), or by
// match_field. A delete of a row that never got an identity does the same, so such a record is
// archived rather than left behind.

#include "connectors/kizen/client.hpp"
#include "daemon/engine/outbound/outbound_outcome.hpp"
#include "daemon/engine/outbound/merged_change.hpp"
#include "daemon/engine/mapping/field_binding.hpp"
#include "daemon/engine/outbound/write_plan.hpp"

#include <boost/asio/awaitable.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <spdlog/logger.h>
#include <string>

namespace ks::engine {

class change_applier {
 public:
  // Called before a create (upsert or add) is sent, so a retry, or a restarted daemon, knows one
  // may have landed (the caller counts an attempt).
  using before_create_hook = std::function<boost::asio::awaitable<void>()>;

  change_applier(kizen::client& client, std::shared_ptr<spdlog::logger> logger);

  boost::asio::awaitable<apply_outcome> apply(const object_binding& object, const merged_change& change,
                                              const std::optional<std::string>& known_entity_id,
                                              const reference_lookup& references,
                                              const before_create_hook& before_create);

 private:
  boost::asio::awaitable<apply_outcome> archive(const object_binding& object, const merged_change& change,
                                                const std::optional<std::string>& known_entity_id);
  // The record an earlier attempt of this change may have created, found by the lookup values in
  // `values` (newest first) or by match_field; nullopt if there is none. `requests` counts calls.
  boost::asio::awaitable<ks::result<std::optional<std::string>, apply_outcome>> find_earlier_create(
      const object_binding& object, const merged_change& change, const std::vector<std::string>& values,
      int& requests);
  // The record whose match_field holds `key`, or nullopt; more than one is a dead outcome (Kizen
  // holds duplicates). `requests` counts calls.
  boost::asio::awaitable<ks::result<std::optional<std::string>, apply_outcome>> find_by_match_field(
      const object_binding& object, const std::string& key, int& requests);
  boost::asio::awaitable<apply_outcome> create(const object_binding& object, const merged_change& change,
                                               const reference_lookup& references,
                                               const std::optional<std::string>& stale_entity_id,
                                               const before_create_hook& before_create, int requests_so_far);

  kizen::client& client_;
  std::shared_ptr<spdlog::logger> logger_;
};

// The Kizen request fields of planned writes.
std::vector<kizen::field_write> to_field_writes(const std::vector<planned_write>& writes);

// An outcome for a failed request: retry (retryable) or dead (permanent).
apply_outcome failure_outcome(const kizen::error& e, std::string_view what);

}  // namespace ks::engine
