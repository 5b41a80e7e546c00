#include "store.hpp"

#include <algorithm>
#include <cctype>

namespace kizen_emulator {

std::string normalize_identity(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool space = false;
  for (unsigned char c : text) {
    if (std::isspace(c)) {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += static_cast<char>(std::tolower(c));
  }
  return out;
}

store::store(const schema& s) : schema_(s) { clear(); }

void store::clear() {
  const auto n = schema_.objects.size();
  records_.clear();
  records_.resize(n);
  order_.assign(n, {});
  identity_.assign(n, {});
  object_of_.clear();
  options_.assign(n, {});
  for (std::size_t o = 0; o < n; ++o)
    for (const auto& f : schema_.objects[o].fields) options_[o].push_back(f.options);
}

record* store::find(std::size_t object, std::string_view id) {
  const auto it = records_[object].find(lower_uuid(id));
  return it == records_[object].end() ? nullptr : it->second.get();
}

const record* store::find(std::size_t object, std::string_view id) const {
  const auto it = records_[object].find(lower_uuid(id));
  return it == records_[object].end() ? nullptr : it->second.get();
}

const record* store::find_any(std::string_view id) const {
  const auto key = lower_uuid(id);
  const auto it = object_of_.find(key);
  return it == object_of_.end() ? nullptr : find(it->second, key);
}

record* store::find_by_identity(std::size_t object, std::string_view identity) {
  const auto it = identity_[object].find(normalize_identity(identity));
  return it == identity_[object].end() ? nullptr : find(object, it->second);
}

record& store::create(std::size_t object, std::int64_t now_ms) {
  std::string id = ids_.next();
  while (object_of_.count(id)) id = ids_.next();
  record* r = create_with_id(object, std::move(id));
  r->created_ms = r->updated_ms = now_ms;
  return *r;
}

record* store::create_with_id(std::size_t object, std::string id) {
  id = lower_uuid(id);
  if (object_of_.count(id)) return nullptr;
  auto r = std::make_unique<record>();
  r->id = id;
  r->object = object;
  r->values.resize(schema_.objects[object].fields.size());
  record* raw = r.get();
  records_[object].emplace(id, std::move(r));
  order_[object].push_back(raw);
  object_of_.emplace(std::move(id), object);
  return raw;
}

void store::reindex(record& r) {
  const auto& object = schema_.objects[r.object];
  const auto* value = std::get_if<std::string>(&r.values[object.identity_index]);
  const std::string key = value ? normalize_identity(*value) : std::string();
  if (key == r.identity_key) return;
  auto& index = identity_[r.object];
  if (!r.identity_key.empty()) {
    const auto it = index.find(r.identity_key);
    if (it != index.end() && it->second == r.id) index.erase(it);
  }
  r.identity_key = key;
  if (!key.empty()) index[key] = r.id;
}

const option* store::option_by_id(std::size_t object, std::size_t field, std::string_view id) const {
  if (!is_uuid(id)) return nullptr;
  const auto key = lower_uuid(id);
  for (const auto& o : options_[object][field])
    if (o.id == key) return &o;
  return nullptr;
}

const option* store::option_by_name(std::size_t object, std::size_t field, std::string_view name) const {
  for (const auto& o : options_[object][field])
    if (o.name == name) return &o;
  return nullptr;
}

const option& store::add_option(std::size_t object, std::size_t field, std::string name, std::string id) {
  auto& list = options_[object][field];
  list.push_back(option{id.empty() ? ids_.next() : lower_uuid(id), std::move(name)});
  return list.back();
}

std::string store::text_value(const record& r, std::string_view field_name) const {
  const auto* f = schema_.objects[r.object].field_by_name(field_name);
  if (!f) return {};
  const auto* s = std::get_if<std::string>(&r.values[f->index]);
  return s ? *s : std::string();
}

std::string store::display_name(const record& r) const {
  const auto& object = schema_.objects[r.object];
  if (object.is_contacts()) {
    std::string full = text_value(r, "first_name");
    const std::string last = text_value(r, "last_name");
    if (!last.empty()) full += full.empty() ? last : " " + last;
    if (!full.empty()) return full;
    return text_value(r, object.identity);
  }
  const std::string name = text_value(r, "name");
  return name.empty() ? text_value(r, object.identity) : name;
}

}  // namespace kizen_emulator
