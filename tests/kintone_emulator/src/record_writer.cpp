#include "record_writer.hpp"

#include <boost/json.hpp>

#include "time_format.hpp"
#include "value_codec.hpp"

namespace kintone_emulator {

namespace json = boost::json;

namespace {

std::string prefix_of(bool bulk, std::size_t i) { return bulk ? "records[" + std::to_string(i) + "]" : "record"; }

}  // namespace

record_writer::record_writer(store& s, const app_def& app, std::int64_t now_ms, writer_identity who)
    : store_(s),
      app_(app),
      now_ms_(truncate_to_minute(now_ms)),
      who_(std::move(who)),
      builder_(app_, s.definitions(), s, who_) {}

const stored_record* record_writer::current(std::int64_t id) const {
  for (const auto& p : pending_)
    if (p.id == id) return &p;
  return store_.find(app_.id, id);
}

const stored_record* record_writer::by_key(const field_def& f, const json::value& value) const {
  for (const auto& p : pending_)
    if (p.values.at(f.code) == value) return &p;
  for (const auto& [id, r] : store_.records(app_.id))
    if (r.values.at(f.code) == value && current(id) == &r) return &r;
  return nullptr;
}

void record_writer::check_unique(const stored_record& r, const std::string& prefix,
                                 std::vector<field_message>& problems) const {
  for (const auto& f : app_.fields) {
    if (!f.unique) continue;
    const auto& v = r.values.at(f.code);
    if (is_blank(v)) continue;
    // Canonical values (NUMBER included) compare equal exactly when Kintone would call them duplicates.
    bool clash = false;
    for (const auto& p : pending_) clash |= p.id != r.id && p.values.at(f.code) == v;
    for (const auto& [id, other] : store_.records(app_.id))
      clash |= id != r.id && current(id) == &other && other.values.at(f.code) == v;
    if (clash) problems.push_back({prefix + "." + f.code + ".value", errors::duplicate_value()});
  }
}

write_result record_writer::add(const std::vector<json::value>& records, bool bulk) {
  std::vector<field_message> problems;
  std::int64_t provisional = 0;
  for (std::size_t i = 0; i < records.size(); ++i) {
    const std::string prefix = prefix_of(bulk, i);
    stored_record r;
    r.id = provisional--;
    r.created_ms = r.updated_ms = now_ms_;
    r.creator = r.modifier = who_.user;
    r.values = builder_.initial_values();
    if (auto e = builder_.apply(r, records[i], prefix, true, problems)) return ks::fail(*e);
    builder_.check_required(r, prefix, problems);
    check_unique(r, prefix, problems);
    pending_.push_back(std::move(r));
  }
  if (!problems.empty()) return ks::fail(errors::invalid_input(std::move(problems)));
  commit();
  std::vector<write_outcome> out;
  for (const auto& p : pending_) out.push_back({p.id, p.revision, true});
  pending_.clear();
  return out;
}

write_result record_writer::update(const std::vector<update_item>& items, bool bulk, bool upsert) {
  std::vector<field_message> problems;
  struct item_outcome {
    std::size_t pending;  // index into pending_
    std::int64_t revision;
    bool inserted;
  };
  std::vector<item_outcome> order;  // per item, as it was when that item was applied
  std::int64_t provisional = 0;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const auto& item = items[i];
    const std::string prefix = prefix_of(bulk, i);
    const std::string where = bulk ? prefix + "." : std::string();
    if (item.id && item.key_field) {
      problems.push_back(
          {where + "id", {"idとupdateKeyは同時に指定できません。", "Specify either id or updateKey, not both."}});
      continue;
    }
    if (upsert && !item.key_field) {
      problems.push_back({where + "updateKey", errors::required()});
      continue;
    }
    if (!item.id && !item.key_field) {
      problems.push_back({where + "id", errors::required()});
      continue;
    }
    const stored_record* target = nullptr;
    const field_def* key = nullptr;
    json::value key_value;
    if (item.id) {
      target = current(*item.id);
      if (!target) return ks::fail(errors::record_not_found(*item.id));
    } else {
      key = app_.field(*item.key_field);
      if (!key || !key->unique || (key->type != field_type::single_line_text && key->type != field_type::number)) {
        problems.push_back({where + "updateKey.field",
                            {"重複禁止が設定された文字列（1行）または数値フィールドを指定してください。",
                             "Specify a single-line text or number field that prohibits duplicate values."}});
        continue;
      }
      auto normalised = normalise_value(*key, item.key_value, store_.definitions());
      if (!normalised || is_blank(normalised.value())) {
        problems.push_back({where + "updateKey.value", errors::bad_value()});
        continue;
      }
      key_value = std::move(normalised).value();
      if (item.record.is_object() && item.record.get_object().contains(key->code)) {
        problems.push_back({prefix + "." + key->code + ".value",
                            {"updateKeyに指定したフィールドは更新できません。",
                             "The field specified as updateKey cannot be updated."}});
        continue;
      }
      target = by_key(*key, key_value);
      if (!target && !upsert) return ks::fail(errors::key_not_found(key->code));
    }
    stored_record next;
    bool inserting = false;
    if (target) {
      if (item.revision && *item.revision != -1 && *item.revision != target->revision)
        return ks::fail(errors::stale_revision());
      next = *target;
      next.revision += 1;
      next.updated_ms = now_ms_;
      next.modifier = who_.user;
    } else {
      inserting = true;
      next.id = provisional--;
      next.created_ms = next.updated_ms = now_ms_;
      next.creator = next.modifier = who_.user;
      next.values = builder_.initial_values();
      next.values[key->code] = key_value;
    }
    if (auto e = builder_.apply(next, item.record, prefix, false, problems)) return ks::fail(*e);
    builder_.check_required(next, prefix, problems);
    check_unique(next, prefix, problems);
    // A later item on the same record sees this one's result.
    const std::int64_t revision = next.revision;
    std::optional<std::size_t> slot;
    for (std::size_t p = 0; p < pending_.size(); ++p)
      if (pending_[p].id == next.id) slot = p;
    if (slot) {
      pending_[*slot] = std::move(next);
    } else {
      pending_.push_back(std::move(next));
      slot = pending_.size() - 1;
    }
    order.push_back({*slot, revision, inserting});
  }
  if (!problems.empty()) return ks::fail(errors::invalid_input(std::move(problems)));
  commit();  // gives inserted records their ids, in request order
  std::vector<write_outcome> out;
  for (const auto& o : order) out.push_back({pending_[o.pending].id, o.revision, o.inserted});
  pending_.clear();
  return out;
}

ks::result<void, api_error> record_writer::remove(const std::vector<std::int64_t>& ids,
                                                  const std::vector<std::int64_t>& revisions) {
  if (!revisions.empty() && revisions.size() != ids.size())
    return ks::fail(errors::invalid_input(
        {{"revisions", {"idsと同じ数の要素を指定してください。", "Specify as many revisions as ids."}}}));
  for (std::size_t i = 0; i < ids.size(); ++i) {
    const auto* r = store_.find(app_.id, ids[i]);
    if (!r) return ks::fail(errors::record_not_found(ids[i]));
    if (!revisions.empty() && revisions[i] != -1 && revisions[i] != r->revision)
      return ks::fail(errors::stale_revision());
  }
  for (const auto id : ids) store_.records(app_.id).erase(id);
  return ks::ok;
}

void record_writer::commit() {
  auto& recs = store_.records(app_.id);
  for (auto& p : pending_) {
    if (p.id <= 0) p.id = store_.take_id(app_.id);  // ids in request order
    recs[p.id] = p;
  }
}

}  // namespace kintone_emulator
