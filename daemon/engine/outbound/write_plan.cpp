#include "daemon/engine/outbound/write_plan.hpp"

#include "daemon/engine/mapping/value_codec.hpp"

#include <algorithm>

namespace ks::engine {

namespace json = boost::json;

namespace {

const json::value& column_of(const json::object& row, const std::string& column) {
  static const json::value null_value;
  const auto it = row.find(column);
  return it == row.end() ? null_value : it->value();
}

bool is_sent(const field_binding& f, const merged_change& change, bool full) {
  return f.sends() && (full || change.changed_columns.count(f.mapping->column) > 0);
}

plan_error bad_value(const field_binding& f, const std::string& problem) {
  return {"column '" + f.mapping->column + "' (Kizen field '" + f.field.name + "'): " + problem};
}

bool contains(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

struct item_diff {
  std::vector<std::string> added;
  std::vector<std::string> removed;
};

// What a multi-value column's write must add and remove. Kizen holds one of several states: the
// one before the first change (nothing yet, for a create), or the state after any earlier change
// of this operation, because an earlier attempt may have applied a prefix of it and lost the
// answer (merged_change::images). Adding what any of them lacks and removing what any of them has
// reaches `after` from each; with a single change this is the plain difference.
ks::result<item_diff, std::string> diff_items(const field_binding& f, const merged_change& change, bool full) {
  const auto& column = f.mapping->column;
  auto now = multi_value_items(column_of(change.after, column));
  if (!now) return ks::fail(now.error());
  std::vector<std::vector<std::string>> states;
  if (full) {
    states.emplace_back();
  } else {
    auto b = multi_value_items(column_of(change.before, column));
    states.push_back(b ? std::move(*b) : std::vector<std::string>{});  // unreadable: nothing to remove
  }
  const std::size_t earlier = change.images.empty() ? 0 : change.images.size() - 1;  // the last is `after`
  for (std::size_t i = 0; i < earlier; ++i)
    if (auto s = multi_value_items(column_of(change.images[i], column))) states.push_back(std::move(*s));
  item_diff d;
  for (const auto& item : *now)
    if (std::any_of(states.begin(), states.end(), [&](const auto& s) { return !contains(s, item); }))
      d.added.push_back(item);
  for (const auto& s : states)
    for (const auto& item : s)
      if (!contains(*now, item) && !contains(d.removed, item)) d.removed.push_back(item);
  return d;
}

}  // namespace

std::vector<key_ref> references_needed(const object_binding& object, const merged_change& change, bool full) {
  std::vector<key_ref> refs;
  auto add = [&](const std::string& target, const std::string& key) {
    key_ref r{target, key};
    if (std::find(refs.begin(), refs.end(), r) == refs.end()) refs.push_back(std::move(r));
  };
  for (const auto& f : object.fields) {
    if (!is_sent(f, change, full) || !f.mapping->references) continue;
    const auto& v = column_of(change.after, f.mapping->column);
    if (f.kind == value_kind::relationship_one) {
      if (v.is_null()) continue;
      if (auto k = key_text(v)) add(*f.mapping->references, *k);
    } else if (f.kind == value_kind::relationship_many) {
      auto d = diff_items(f, change, full);
      if (!d) continue;  // reported by plan_writes
      for (const auto& k : d->added) add(*f.mapping->references, k);
    }
  }
  return refs;
}

std::vector<kizen::field_write> to_field_writes(const std::vector<planned_write>& writes) {
  std::vector<kizen::field_write> out;
  out.reserve(writes.size());
  for (const auto& w : writes) {
    kizen::field_write f;
    f.field = w.field_name;
    if (w.value) {
      f.value = *w.value;
    } else {
      if (!w.add_values.empty()) f.add_values = json::array(w.add_values.begin(), w.add_values.end());
      if (!w.remove_values.empty()) f.remove_values = json::array(w.remove_values.begin(), w.remove_values.end());
    }
    out.push_back(std::move(f));
  }
  return out;
}

std::string describe(const std::vector<key_ref>& refs) {
  std::string out;
  for (const auto& r : refs) out += (out.empty() ? "" : ", ") + r.object + "/" + r.key;
  return out;
}

ks::result<write_plan, plan_error> plan_writes(const object_binding& object, const merged_change& change, bool full,
                                               const kizen_id_lookup& lookup) {
  write_plan plan;
  auto& writes = plan.writes;
  auto& unresolved = plan.unresolved;
  for (const auto& f : object.fields) {
    const std::size_t unresolved_before = unresolved.size();
    if (!is_sent(f, change, full)) continue;
    planned_write w{f.field.name, f.field.id, std::nullopt, {}, {}};
    const auto& after = column_of(change.after, f.mapping->column);

    switch (f.kind) {
      case value_kind::relationship_one: {
        if (after.is_null()) {
          w.value = json::value(nullptr);
          break;
        }
        auto key = key_text(after);
        if (!key) return ks::fail(bad_value(f, key.error()));
        key_ref ref{*f.mapping->references, *key};
        if (auto id = lookup(ref)) {
          w.value = json::value{{"id", *id}};
        } else {
          unresolved.push_back(std::move(ref));
        }
        break;
      }
      case value_kind::options:
      case value_kind::relationship_many: {
        auto diff = diff_items(f, change, full);
        if (!diff) return ks::fail(bad_value(f, diff.error()));
        const auto& added = diff->added;
        const auto& removed = diff->removed;
        for (const auto& item : added) {
          if (f.kind == value_kind::options) {
            auto v = option_item(f, item);
            if (!v) return ks::fail(bad_value(f, v.error()));
            w.add_values.push_back(std::move(*v));
          } else if (auto id = lookup({*f.mapping->references, item})) {
            w.add_values.push_back(json::value{{"id", *id}});
          } else {
            unresolved.push_back({*f.mapping->references, item});
          }
        }
        for (const auto& item : removed) {
          if (f.kind == value_kind::options) {
            if (auto v = option_item(f, item)) w.remove_values.push_back(std::move(*v));
          } else if (auto id = lookup({*f.mapping->references, item})) {
            w.remove_values.push_back(json::value{{"id", *id}});
          }  // a never-synced old reference is not in Kizen: nothing to remove
        }
        break;
      }
      default: {
        auto v = to_kizen_value(f, after);
        if (!v) return ks::fail(bad_value(f, v.error()));
        w.value = std::move(*v);
        break;
      }
    }
    if (unresolved.size() > unresolved_before) {
      // Send none of this column rather than part of it: the follow-up update sends it whole.
      plan.incomplete_columns.push_back(f.mapping->column);
      continue;
    }
    if (w.multi() && w.add_values.empty() && w.remove_values.empty()) continue;
    writes.push_back(std::move(w));
  }
  if (full) {
    // Creates also record our key where Kizen should keep it (match_field / key_field), unless a
    // mapped column already writes that field.
    const auto key_value = column_of(change.after, object.mapping->key);
    auto key = key_text(key_value);
    for (const auto* named : {&object.match_field, &object.key_field}) {
      if (!*named || !key) continue;
      const bool already = std::any_of(writes.begin(), writes.end(),
                                       [&](const planned_write& w) { return w.field_name == (*named)->name; });
      if (!already) writes.push_back({(*named)->name, (*named)->id, json::value(*key), {}, {}});
    }
  }
  return plan;
}

}  // namespace ks::engine
