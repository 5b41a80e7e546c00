#pragma once
// What the parts of the inbound sync share: the sync schema, the bound objects, where records come
// from (the Kizen client) and go (the pool), and where they report. Each part keeps a copy; the
// referenced objects outlive them all.

#include "common/metrics_sink.hpp"
#include "connectors/kizen/client.hpp"
#include "connectors/postgres/db_pool.hpp"
#include "daemon/engine/mapping/object_bindings.hpp"

#include <spdlog/logger.h>
#include <memory>
#include <string>

namespace ks::engine {

struct inbound_context {
  std::string schema;
  const object_bindings& bindings;
  kizen::client& client;
  pg::db_pool& pool;
  metrics_sink& metrics;
  std::shared_ptr<spdlog::logger> logger;
};

}  // namespace ks::engine
