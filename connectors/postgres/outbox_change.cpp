#include "connectors/postgres/outbox_change.hpp"

#include "common/enum_names.hpp"

#include <stdexcept>

namespace ks::pg {

namespace {

// The outbox's `op` and `state` values, in the order of the enums.
constexpr const char* op_names[] = {"insert", "update", "delete"};
constexpr const char* state_names[] = {"pending", "done", "dead"};

}  // namespace

const char* to_string(change_op op) { return enum_name(op, op_names); }
const char* to_string(outbox_state state) { return enum_name(state, state_names); }

change_op change_op_from(std::string_view text) {
  if (auto op = enum_from<change_op>(text, op_names)) return *op;
  throw std::invalid_argument("not an outbox op: '" + std::string(text) + "'");
}

outbox_state outbox_state_from(std::string_view text) {
  if (auto state = enum_from<outbox_state>(text, state_names)) return *state;
  throw std::invalid_argument("not an outbox state: '" + std::string(text) + "'");
}

}  // namespace ks::pg
