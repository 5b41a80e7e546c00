#pragma once
// One row of the outbox as the engine sees it: a captured change of one key of one mapped table.

#include <boost/json/object.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ks::pg {

enum class change_op { insert, update, remove };  // outbox op: insert | update | delete
enum class outbox_state { pending, done, dead };  // outbox state: pending | done | dead

const char* to_string(change_op op);        // "insert" | "update" | "delete"
const char* to_string(outbox_state state);  // "pending" | "done" | "dead"
// The value of the outbox's `op` / `state` column; throws std::invalid_argument for anything else.
change_op change_op_from(std::string_view text);
outbox_state outbox_state_from(std::string_view text);

struct outbox_change {
  std::int64_t id = 0;
  std::string object;
  std::string key;
  change_op op = change_op::update;
  std::vector<std::string> changed_columns;
  // Row images (key, entity id and captured columns only); numbers as their exact decimal text.
  boost::json::object new_row;  // empty for delete
  boost::json::object old_row;  // empty for insert
  std::chrono::system_clock::time_point created_at;
  int attempts = 0;
  // A key update (the row moved): on the old key's delete, the new key; on the new key's insert,
  // the old one.
  std::optional<std::string> moved_key;
};

}  // namespace ks::pg
