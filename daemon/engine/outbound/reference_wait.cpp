#include "daemon/engine/outbound/reference_wait.hpp"

namespace ks::engine {

bool create_waits_for(const reference_head& ref, std::int64_t own_head) {
  if (ref.head_id) return ref.head_pending && *ref.head_id < own_head;
  // Nothing queued: the row predates `migrate`; the wait queues it. Wait for it only if it has
  // no relationship of its own to send (so it never waits in turn).
  if (!ref.object_sends || ref.object_has_references) return false;
  return ref.row_exists;
}

wait_decision decide_wait(const std::vector<referenced_row>& rows, const std::string& message,
                          const wait_settings& settings) {
  wait_decision out;
  std::string missing;
  bool stuck = false;
  for (const auto& row : rows) {
    using s = referenced_row::state;
    switch (row.what) {
      case s::queued:
      case s::synced:
      case s::pulled_only:  // only a pull can give that row its identity: keep waiting
        break;
      case s::dead: stuck = true; break;
      case s::unsynced:  // never synced (e.g. it predates `migrate`): bring it to Kizen first
        out.bring_first.push_back(row.ref);
        break;
      case s::missing:
        missing += (missing.empty() ? "" : ", ") + row.ref.to_string() + " (no such row in " + row.table + ")";
        break;
      case s::not_configured:
        missing += (missing.empty() ? "" : ", ") + row.ref.to_string() + " (object not configured)";
        break;
    }
  }
  if (!missing.empty()) {
    out.dead = true;
    out.message = "references rows that do not exist: " + missing;
    return out;  // the rows never synced are still queued: they exist and belong in Kizen
  }
  out.delay = stuck ? settings.stuck_reference_wait : settings.reference_wait;
  out.message = stuck ? message + " (one of them is dead-lettered: replay it first)" : message;
  return out;
}

}  // namespace ks::engine
