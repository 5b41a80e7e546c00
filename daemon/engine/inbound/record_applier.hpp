#pragma once
// Brings Kizen records into their table (a search page, a re-read record, a resync page):
// relationships summarized by Kizen (more than 100 values) are read in full, referenced records
// that have no row yet are pulled first (up to reference_depth), each record is translated, and
// record_writer writes the page. Pulls, reconciles and resyncs all come through here.

#include "common/metrics_sink.hpp"
#include "connectors/kizen/client.hpp"
#include "connectors/postgres/db_pool.hpp"
#include "connectors/postgres/identity_store.hpp"
#include "daemon/engine/inbound/inbound_context.hpp"
#include "daemon/engine/inbound/inbound_stats.hpp"
#include "daemon/engine/inbound/record_writer.hpp"
#include "daemon/engine/mapping/object_bindings.hpp"

#include <spdlog/logger.h>
#include <boost/asio/awaitable.hpp>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ks::engine {

struct record_applier_settings {
  int page_size = 100;      // records per search page (and values per field-values page)
  int reference_depth = 2;  // how far referenced records are pulled first
  record_writer_settings writes;
};

class record_applier {
 public:
  explicit record_applier(inbound_context context, record_applier_settings settings = {});

  // Writes `records` of `object`; `cursor_to`: advance the pull cursor to this (updated, id) in
  // the same transaction.
  boost::asio::awaitable<inbound_stats> apply(const object_binding& object, const std::vector<kizen::record>& records,
                                              std::optional<std::pair<kizen::timestamp, std::string>> cursor_to,
                                              int depth = 0);

  const record_applier_settings& settings() const { return settings_; }

 private:
  // Every value of a summarized relationship, or nothing when it cannot be read.
  boost::asio::awaitable<std::optional<std::vector<std::string>>> full_list(const std::string& entity_id,
                                                                            const std::string& field_id);

  inbound_context ctx_;
  record_applier_settings settings_;
  pg::identity_store identities_;
  record_writer writer_;
};

}  // namespace ks::engine
