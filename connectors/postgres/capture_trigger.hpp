#pragma once
// What the capture trigger of one mapped table looks like (DESIGN.md "To Kizen"): derived from the
// object mapping alone, so `migrate` (installs it) and `run` (verifies it) agree by construction.
// Pure logic; the SQL side is migrations/002_capture_function.sql and migrator.cpp.

#include "connectors/postgres/table_mapping.hpp"

#include <optional>
#include <string>
#include <vector>

namespace ks::pg {

// The shared trigger function, in the sync schema.
inline constexpr const char* capture_function_name = "capture_change";

struct capture_trigger {
  std::string object;
  std::string table_schema;
  std::string table;
  std::string trigger_name;
  std::string key_column;
  std::string entity_id_column;  // empty when the mapping has none
  // The key column, the lookup column, then every mapped column that flows to Kizen, in config
  // order, without repeats. Only these reach the outbox (unmapped columns may be sensitive).
  std::vector<std::string> captured_columns;

  // The trigger's arguments: object, key column, entity_id column (or ""), captured columns...
  std::vector<std::string> arguments() const;

  // The trigger for `mapping`, or nothing when the object does not flow to Kizen
  // (direction from_kizen).
  static std::optional<capture_trigger> for_object(const std::string& schema, const table_mapping& mapping);
};

// The columns the trigger captures for `mapping` (empty for direction from_kizen).
std::vector<std::string> captured_columns(const table_mapping& mapping);

// Trigger name for (schema, object): "ks_capture_<object>_<hash>", at most 63 bytes. The hash
// keeps two sync schemas (or a long object name cut short) from colliding on one table.
std::string capture_trigger_name(const std::string& schema, const std::string& object);

// The LISTEN/NOTIFY channel of a sync schema: "<schema>_changes", shortened with a hash when that
// would exceed PostgreSQL's 63-byte limit. The payload of each notification is the object.
std::string notify_channel(const std::string& schema);

}  // namespace ks::pg
