#include "daemon/engine/outbound/reference_reader.hpp"

namespace ks::engine {

reference_reader::reference_reader(const std::string& schema, const object_bindings& bindings)
    : bindings_(bindings), outbox_(schema), identities_(schema) {}

reference_reader::resolved reference_reader::resolve(pqxx::transaction_base& tx, const std::vector<key_ref>& refs,
                                                     bool create, std::int64_t own_head) const {
  resolved out;
  for (const auto& r : refs) {
    if (auto id = identities_.find(tx, r.object, r.key)) {
      out.ids[r] = id->entity_id;
      continue;
    }
    if (!create) continue;
    reference_head head;
    if (const auto h = outbox_.open_head(tx, r)) {
      head.head_id = h->id;
      head.head_pending = h->state == pg::outbox_state::pending;
    } else if (const auto b = bindings_.find(r.object); b != bindings_.end()) {
      head.object_sends = b->second.mapping->direction != config::sync_direction::from_kizen;
      for (const auto& f : b->second.fields)
        if (f.sends() && f.mapping->references) head.object_has_references = true;
      head.row_exists =
          head.object_sends && !head.object_has_references && table_rows_.image(tx, b->second.table, r.key).has_value();
    }
    if (create_waits_for(head, own_head)) out.wait_for.push_back(r);
  }
  return out;
}

std::vector<referenced_row> reference_reader::rows(pqxx::transaction_base& tx, const std::vector<key_ref>& refs) const {
  std::vector<referenced_row> out;
  for (const auto& ref : refs) {
    referenced_row row{ref, referenced_row::state::queued, {}};
    const auto state = outbox_.open_state(tx, ref);
    if (state == pg::outbox_state::pending) {
      row.what = referenced_row::state::queued;
    } else if (state == pg::outbox_state::dead) {
      row.what = referenced_row::state::dead;
    } else if (identities_.find(tx, ref.object, ref.key)) {
      // Read after the state (each statement sees what was committed when it started): a row
      // applied since the change was claimed has its identity now and must not be queued again.
      row.what = referenced_row::state::synced;
    } else if (const auto b = bindings_.find(ref.object); b == bindings_.end()) {
      row.what = referenced_row::state::not_configured;
    } else if (!table_rows_.image(tx, b->second.table, ref.key)) {
      row.what = referenced_row::state::missing;
      row.table = b->second.table.table_schema + "." + b->second.table.table;
    } else if (b->second.mapping->direction == config::sync_direction::from_kizen) {
      row.what = referenced_row::state::pulled_only;
    } else {
      row.what = referenced_row::state::unsynced;
    }
    out.push_back(std::move(row));
  }
  return out;
}

bool reference_reader::moved_from_open(pqxx::transaction_base& tx, const key_ref& from, std::int64_t before) const {
  const auto h = outbox_.open_head(tx, from);
  return h && h->id < before;
}

bool reference_reader::move_target_free(pqxx::transaction_base& tx, const key_ref& to) const {
  return !identities_.find(tx, to.object, to.key);
}

}  // namespace ks::engine
