#include "daemon/engine/outbound/merged_change.hpp"

#include <algorithm>
#include <stdexcept>

namespace ks::engine {

merged_change merge_changes(std::span<const pg::outbox_change> pending) {
  if (pending.empty()) throw std::logic_error("merge_changes: no changes");
  merged_change m;
  m.first_change_at = pending.front().created_at;
  m.began_with_insert = pending.front().op == pg::change_op::insert;
  if (m.began_with_insert) m.moved_from = pending.front().moved_key;
  m.before = pending.front().old_row;
  for (const auto& c : pending) {
    m.ids.push_back(c.id);
    m.last_change_at = c.created_at;
    m.attempts = std::max(m.attempts, c.attempts);
    if (c.op == pg::change_op::remove) {
      m.action = merged_change::kind::archive;
      m.after.clear();
      if (m.before.empty()) m.before = c.old_row;
      m.moved_to = c.moved_key;
      break;  // a delete ends the segment
    }
    m.action = merged_change::kind::write;
    m.changed_columns.insert(c.changed_columns.begin(), c.changed_columns.end());
    m.after = c.new_row;
    m.images.push_back(c.new_row);
  }
  return m;
}

}  // namespace ks::engine
