#include "daemon/engine/write_planner.hpp"

#include "daemon/engine/value_codec.hpp"

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

std::vector<std::string> minus(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  std::vector<std::string> out;
  for (const auto& x : a)
    if (std::find(b.begin(), b.end(), x) == b.end()) out.push_back(x);
  return out;
}

}  // namespace

std::vector<row_reference> references_needed(const object_binding& object, const merged_change& change,
                                             bool full) {
  std::vector<row_reference> refs;
  auto add = [&](const std::string& target, const std::string& key) {
    row_reference r{target, key};
    if (std::find(refs.begin(), refs.end(), r) == refs.end()) refs.push_back(std::move(r));
  };
  for (const auto& f : object.fields) {
    if (!is_sent(f, change, full) || !f.mapping->references) continue;
    const auto& v = column_of(change.after, f.mapping->column);
    if (f.kind == value_kind::relationship_one) {
      if (v.is_null()) continue;
      if (auto k = key_text(v)) add(*f.mapping->references, *k);
    } else if (f.kind == value_kind::relationship_many) {
      auto now = multi_value_items(v);
      if (!now) continue;  // reported by plan_writes
      auto before = multi_value_items(column_of(change.before, f.mapping->column));
      for (const auto& k : full || !before ? *now : minus(*now, *before)) add(*f.mapping->references, k);
    }
  }
  return refs;
}

std::string describe(const std::vector<row_reference>& refs) {
  std::string out;
  for (const auto& r : refs) out += (out.empty() ? "" : ", ") + r.object + "/" + r.key;
  return out;
}

ks::result<write_plan, plan_error> plan_writes(const object_binding& object, const merged_change& change,
                                               bool full, const reference_lookup& lookup) {
  write_plan plan;
  auto& writes = plan.writes;
  auto& unresolved = plan.unresolved;
  for (const auto& f : object.fields) {
    const std::size_t unresolved_before = unresolved.size();
    if (!is_sent(f, change, full)) continue;
    planned_write w{f.field.name, f.field.id, std::nullopt, {}, {}};
    const auto& after = column_of(change.after, f.mapping->column);
    const auto& before = column_of(change.before, f.mapping->column);

    switch (f.kind) {
      case value_kind::relationship_one: {
        if (after.is_null()) {
          w.value = json::value(nullptr);
          break;
        }
        auto key = key_text(after);
        if (!key) return ks::fail(bad_value(f, key.error()));
        row_reference ref{*f.mapping->references, *key};
        if (auto id = lookup(ref)) {
          w.value = json::value{{"id", *id}};
        } else {
          unresolved.push_back(std::move(ref));
        }
        break;
      }
      case value_kind::options:
      case value_kind::relationship_many: {
        auto now = multi_value_items(after);
        if (!now) return ks::fail(bad_value(f, now.error()));
        std::vector<std::string> was;
        if (!full) {
          auto b = multi_value_items(before);
          if (b) was = std::move(*b);  // an unreadable old value just means nothing to remove
        }
        const auto added = minus(*now, was);
        const auto removed = minus(was, *now);
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
      const bool already = std::any_of(writes.begin(), writes.end(), [&](const planned_write& w) {
        return w.field_name == (*named)->name;
      });
      if (!already) writes.push_back({(*named)->name, (*named)->id, json::value(*key), {}, {}});
    }
  }
  return plan;
}

}  // namespace ks::engine
