#include "daemon/engine/inbound/translated_record.hpp"

#include "common/uuid_text.hpp"
#include "daemon/engine/mapping/value_codec.hpp"

#include <boost/json/serialize.hpp>
#include <cctype>
#include <chrono>
#include <cmath>

namespace ks::engine {

namespace json = boost::json;

namespace {

const kizen::record_field* field_of(const kizen::record& r, const field_binding& f) {
  if (const auto* by_id = r.field_by_id(f.field.id)) return by_id;
  return r.field(f.field.name);
}

std::string short_json(const json::value& v) {
  auto s = json::serialize(v);
  return s.size() > 60 ? s.substr(0, 57) + "..." : s;
}

// [+-]digits, with a fraction when `fraction` (Kizen's decimal and money text).
bool is_decimal_text(std::string_view s, bool fraction) {
  std::size_t i = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
  std::size_t digits = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++digits;
  if (fraction && i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++digits;
  }
  return i == s.size() && digits > 0;
}

// "YYYY-MM-DD", a real calendar date.
bool is_date_text(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  int parts[3] = {0, 0, 0};
  const std::size_t starts[3] = {0, 5, 8}, lengths[3] = {4, 2, 2};
  for (int p = 0; p < 3; ++p)
    for (std::size_t i = starts[p]; i < starts[p] + lengths[p]; ++i) {
      if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
      parts[p] = parts[p] * 10 + (s[i] - '0');
    }
  using namespace std::chrono;
  return year_month_day{year{parts[0]}, month{static_cast<unsigned>(parts[1])}, day{static_cast<unsigned>(parts[2])}}
      .ok();
}

// The id of a related record value: {"id": ...} or a bare id string.
std::optional<std::string> related_id(const json::value& v) {
  if (v.is_string() && ks::is_uuid(v.get_string())) return ks::normalize_uuid(v.get_string());
  if (const auto* o = v.if_object())
    if (const auto* id = o->if_contains("id"); id && id->is_string() && ks::is_uuid(id->get_string()))
      return ks::normalize_uuid(id->get_string());
  return std::nullopt;
}

// The option name of a select value: {"id","name"} or a bare name.
std::optional<std::string> option_name(const field_binding& f, const json::value& v) {
  if (v.is_string()) return std::string(v.get_string());
  if (const auto* o = v.if_object()) {
    if (const auto* name = o->if_contains("name"); name && name->is_string()) return std::string(name->get_string());
    if (const auto* id = o->if_contains("id"); id && id->is_string())
      for (const auto& opt : f.field.options)
        if (opt.id == id->get_string()) return opt.name;
  }
  return std::nullopt;
}

// The related ids of a relationship value (one object or a list).
std::optional<std::vector<std::string>> related_ids(const json::value& v) {
  std::vector<std::string> ids;
  if (v.is_null()) return ids;
  if (const auto* a = v.if_array()) {
    for (const auto& item : *a) {
      auto id = related_id(item);
      if (!id) return std::nullopt;
      ids.push_back(*id);
    }
    return ids;
  }
  auto id = related_id(v);
  if (!id) return std::nullopt;
  ids.push_back(*id);
  return ids;
}

}  // namespace

void keep_synced_instants(const object_binding& object, translated_record& translated,
                          const boost::json::object& synced) {
  for (const auto& f : object.fields) {
    if (!f.receives() || f.kind != value_kind::datetime) continue;
    const auto it = translated.values.find(f.mapping->column);
    const auto* last = synced.if_contains(f.mapping->column);
    if (it == translated.values.end() || !last || !it->value().is_string() || !last->is_string()) continue;
    const auto sent = to_kizen_datetime(last->get_string());  // what Kizen was given for it
    if (!sent) continue;
    const auto given = kizen::parse_timestamp(*sent);
    const auto held = kizen::parse_timestamp(it->value().get_string());
    if (given && held && *given == *held) it->value() = *last;
  }
}

std::vector<const field_binding*> summarized_fields(const object_binding& object, const kizen::record& record) {
  std::vector<const field_binding*> out;
  for (const auto& f : object.fields) {
    if (!f.receives()) continue;
    if (const auto* rf = field_of(record, f); rf && rf->summary_count) out.push_back(&f);
  }
  return out;
}

std::vector<record_reference> references_of(const object_binding& object, const kizen::record& record,
                                            const full_lists& lists) {
  std::vector<record_reference> refs;
  for (const auto& f : object.fields) {
    if (!f.receives() || !f.mapping->references) continue;
    std::vector<std::string> ids;
    if (const auto it = lists.find(f.field.id); it != lists.end()) {
      ids = it->second;
    } else if (const auto* rf = field_of(record, f)) {
      if (auto parsed = related_ids(rf->value)) ids = std::move(*parsed);
    }
    for (auto& id : ids) {
      record_reference r{*f.mapping->references, id};
      if (std::find(refs.begin(), refs.end(), r) == refs.end()) refs.push_back(std::move(r));
    }
  }
  return refs;
}

translated_record translate_record(const object_binding& object, const kizen::record& record,
                                   const row_key_lookup& lookup, const full_lists& lists) {
  translated_record out;
  auto problem = [&](const field_binding& f, const std::string& what) {
    out.problems.push_back("field '" + f.field.name + "' (column '" + f.mapping->column + "'): " + what);
  };
  for (const auto& f : object.fields) {
    if (!f.receives()) continue;
    const auto* rf = field_of(record, f);
    const json::value raw = rf ? rf->value : json::value(nullptr);
    json::value& slot = out.values[f.mapping->column];
    slot = nullptr;
    switch (f.kind) {
      case value_kind::text:
        if (raw.is_string() || raw.is_null()) {
          slot = raw;
        } else {
          problem(f, "expected a string, got " + short_json(raw));
        }
        break;
      // Checked here rather than left to PostgreSQL: its error would name neither field nor column.
      case value_kind::date:
        if (raw.is_null() || (raw.is_string() && is_date_text(raw.get_string()))) {
          slot = raw;
        } else {
          problem(f, "expected a date (YYYY-MM-DD), got " + short_json(raw));
        }
        break;
      case value_kind::datetime:
        if (raw.is_null() || (raw.is_string() && kizen::parse_timestamp(raw.get_string()))) {
          slot = raw;
        } else {
          problem(f, "expected a timestamp (ISO-8601), got " + short_json(raw));
        }
        break;
      case value_kind::integer:
        if (raw.is_int64() || raw.is_uint64() || raw.is_null()) {
          slot = raw;
        } else if (raw.is_double() && std::abs(raw.get_double()) < 9.0e15 &&
                   raw.get_double() == static_cast<double>(static_cast<std::int64_t>(raw.get_double()))) {
          slot = static_cast<std::int64_t>(raw.get_double());
        } else if (raw.is_string() && is_decimal_text(raw.get_string(), false)) {
          slot = raw;  // integer text: PostgreSQL reads it exactly
        } else {
          problem(f, "expected an integer, got " + short_json(raw));
        }
        break;
      case value_kind::decimal:
        if (raw.is_null() || raw.is_number() || (raw.is_string() && is_decimal_text(raw.get_string(), true))) {
          slot = raw;  // exact decimal text; numeric columns keep every digit
        } else {
          problem(f, "expected a decimal, got " + short_json(raw));
        }
        break;
      case value_kind::boolean:
        // A null or absent checkbox reads as unchecked (API-NOTES.md).
        if (raw.is_bool()) {
          slot = raw;
        } else if (raw.is_null()) {
          slot = false;
        } else {
          problem(f, "expected a boolean, got " + short_json(raw));
        }
        break;
      case value_kind::option:
        if (!raw.is_null()) {
          if (auto name = option_name(f, raw))
            slot = json::value(*name);
          else
            problem(f, "expected an option, got " + short_json(raw));
        }
        break;
      case value_kind::options: {
        json::array names;
        if (const auto* a = raw.if_array()) {
          for (const auto& item : *a) {
            if (auto name = option_name(f, item))
              names.push_back(json::value(*name));
            else
              problem(f, "expected options, got " + short_json(raw));
          }
        } else if (!raw.is_null()) {
          problem(f, "expected a list of options, got " + short_json(raw));
        }
        slot = std::move(names);
        break;
      }
      case value_kind::relationship_one:
      case value_kind::relationship_many: {
        std::optional<std::vector<std::string>> ids;
        if (const auto it = lists.find(f.field.id); it != lists.end())
          ids = it->second;
        else
          ids = related_ids(raw);
        if (!ids) {
          problem(f, "expected related records, got " + short_json(raw));
          break;
        }
        json::array keys;
        for (const auto& id : *ids) {
          record_reference ref{*f.mapping->references, id};
          if (auto key = lookup(ref)) {
            keys.push_back(json::value(*key));
          } else if (std::find(out.unresolved.begin(), out.unresolved.end(), ref) == out.unresolved.end()) {
            out.unresolved.push_back(std::move(ref));
          }
        }
        if (f.kind == value_kind::relationship_one) {
          if (!keys.empty()) slot = keys.front();
        } else {
          slot = std::move(keys);
        }
        break;
      }
    }
  }
  if (object.key_field) {
    const kizen::record_field* kf = record.field_by_id(object.key_field->id);
    if (!kf) kf = record.field(object.key_field->name);
    if (kf && !kf->value.is_null())
      if (auto k = key_text(kf->value); k && !k->empty()) out.key = *k;
  }
  return out;
}

}  // namespace ks::engine
