#include "connectors/postgres/outbox_change.hpp"

#include <stdexcept>

namespace ks::pg {

const char* to_string(change_op op) {
  switch (op) {
    case change_op::insert: return "insert";
    case change_op::update: return "update";
    case change_op::remove: return "delete";
  }
  return "update";
}

const char* to_string(outbox_state state) {
  switch (state) {
    case outbox_state::pending: return "pending";
    case outbox_state::done: return "done";
    case outbox_state::dead: return "dead";
  }
  return "pending";
}

change_op change_op_from(std::string_view text) {
  if (text == "insert") return change_op::insert;
  if (text == "update") return change_op::update;
  if (text == "delete") return change_op::remove;
  throw std::invalid_argument("not an outbox op: '" + std::string(text) + "'");
}

outbox_state outbox_state_from(std::string_view text) {
  if (text == "pending") return outbox_state::pending;
  if (text == "done") return outbox_state::done;
  if (text == "dead") return outbox_state::dead;
  throw std::invalid_argument("not an outbox state: '" + std::string(text) + "'");
}

}  // namespace ks::pg
