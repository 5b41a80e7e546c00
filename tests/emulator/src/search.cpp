#include "search.hpp"

#include "search_filter.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <cstdlib>

#include "time_format.hpp"
#include "uuid.hpp"
#include "value_codec.hpp"

namespace kizen_emulator {

namespace json = boost::json;

namespace {

using fail_t = ks::failure<std::string>;
using family = value_family;

std::string lower(std::string_view s) { return lower_text(s); }

sort_key key_of(const store& s, const record& r, const field_def* f) {
  sort_key k;
  if (!f || f->timestamp == timestamp_field::created) return {false, static_cast<long double>(r.created_ms), {}};
  if (f->timestamp == timestamp_field::updated) return {false, static_cast<long double>(r.updated_ms), {}};
  const auto& v = r.values[f->index];
  if (f->type == field_type::checkbox)
    return {false, std::holds_alternative<bool>(v) && std::get<bool>(v) ? 1.0L : 0.0L, {}};
  if (is_blank(v)) return k;
  k.blank = false;
  const auto& object = s.definitions().objects[r.object];
  switch (family_of(*f)) {
    case family::number:
    case family::datetime: k.number = stored_number(v); break;
    case family::select: {
      const option* o = s.option_by_id(r.object, f->index, std::get<std::string>(v));
      k.text = o ? lower(o->name) : std::string();
      break;
    }
    case family::relationship: {
      const auto targets = live_targets(s, *f, v);
      if (targets.empty())
        k.blank = true;
      else
        k.text = lower(s.display_name(*targets.front()));
      break;
    }
    default: k.text = lower(std::get<std::string>(v)); break;
  }
  (void)object;
  return k;
}

}  // namespace

ks::result<search_plan, std::string> parse_search(const store& s, const object_def& object, const json::value* body,
                                                  std::string_view ordering, std::string_view term) {
  search_plan plan;
  json::object empty;
  if (body && !body->is_null() && !body->is_object()) return fail_t{"The request body must be a JSON object."};
  const json::object& b = body && body->is_object() ? body->as_object() : empty;
  auto list_of = [&](const char* key) -> const json::array* {
    const auto* v = b.if_contains(key);
    return v && v->is_array() ? &v->as_array() : nullptr;
  };
  for (const char* key :
       {"field_names", "field_ids", "search_within_field_names", "search_within_field_ids", "query"}) {
    const auto* v = b.if_contains(key);
    if (v && !v->is_null() && !v->is_array()) return fail_t{std::string(key) + ": expected a list."};
  }
  const auto* names = list_of("field_names");
  const auto* ids = list_of("field_ids");
  if (names && ids) return fail_t{"Only one of 'field_names' or 'field_ids' is allowed."};
  if (names || ids) {
    plan.selection = names && names->empty() ? field_selection::defaults(object) : field_selection::none(object);
    if (ids && ids->empty()) plan.selection = field_selection::defaults(object);
    for (const auto& item : names ? *names : *ids) {
      if (!item.is_string()) return fail_t{std::string(names ? "field_names" : "field_ids") + ": expected strings."};
      const field_def* f = names ? object.field_by_name(item.as_string()) : object.field_by_id(item.as_string());
      if (f) plan.selection.include[f->index] = true;  // unknown ones are dropped, as Kizen does
    }
  }
  const auto* within_names = list_of("search_within_field_names");
  const auto* within_ids = list_of("search_within_field_ids");
  if (within_names && within_ids)
    return fail_t{"Only one of 'search_within_field_names' or 'search_within_field_ids' is allowed."};
  plan.term = lower(term);
  if (within_names || within_ids) {
    for (const auto& item : within_names ? *within_names : *within_ids) {
      if (!item.is_string()) return fail_t{"search_within_field_*: expected strings."};
      const field_def* f = within_names ? object.field_by_name(item.as_string()) : object.field_by_id(item.as_string());
      if (f && (f->type == field_type::text || f->type == field_type::email)) plan.term_fields.push_back(f);
    }
  } else if (object.is_contacts()) {
    for (const char* n : {"email", "first_name", "last_name"})
      if (const auto* f = object.field_by_name(n)) plan.term_fields.push_back(f);
    plan.term_full_name = true;
  } else {
    plan.term_fields.push_back(&object.identity_field());
  }
  if (const auto* query = list_of("query"); query && !query->empty()) {
    filter_node root;
    if (const auto* a = b.if_contains("and"); a && !a->is_null()) {
      if (!a->is_bool()) return fail_t{"and: expected true or false."};
      root.all = a->as_bool();
    }
    for (std::size_t i = 0; i < query->size(); ++i) {
      auto group = parse_filter(s, object, (*query)[i], "query[" + std::to_string(i) + "]", 0);
      if (!group) return fail_t{std::move(group).error()};
      root.children.push_back(std::move(group).value());
    }
    plan.filter = std::move(root);
  }
  if (!ordering.empty()) {
    plan.descending = ordering.front() == '-';
    const auto name = plan.descending ? ordering.substr(1) : ordering;
    plan.order_field = object.field_by_name(name);
    if (!plan.order_field || plan.order_field->multi_value() || plan.order_field->to_many())
      return fail_t{"Cannot order by \"" + std::string(ordering) + "\": expected a single-value field API name of \"" +
                    object.name + "\", optionally prefixed with '-'."};
  }
  return plan;
}

search_hits find_hits(const store& s, std::size_t object, const search_plan& plan) {
  std::vector<std::pair<sort_key, const record*>> hits;
  hits.reserve(s.records(object).size());
  const auto cutoff = plan.visible_until_ms;
  for (const record* r : s.records(object)) {
    if (cutoff && r->created_ms > *cutoff) continue;  // not indexed yet
    if (r->archived && !(cutoff && r->archived_ms > *cutoff)) continue;
    if (!plan.term.empty()) {
      bool found = false;
      for (const field_def* f : plan.term_fields) {
        const auto* text = std::get_if<std::string>(&r->values[f->index]);
        if (text && lower(*text).find(plan.term) != std::string::npos) found = true;
      }
      if (!found && plan.term_full_name && lower(s.display_name(*r)).find(plan.term) != std::string::npos)
        found = true;  // "Ada Lovelace" finds first_name Ada + last_name Lovelace
      if (!found) continue;
    }
    if (plan.filter && !matches(s, *r, *plan.filter)) continue;
    hits.emplace_back(key_of(s, *r, plan.order_field), r);
  }
  return search_hits(std::move(hits), plan.descending);
}

std::vector<const record*> search_hits::first(std::size_t n) {
  n = std::min(n, hits_.size());
  const bool desc = descending_;
  const auto before = [desc](const auto& a, const auto& b) {
    const sort_key& x = a.first;
    const sort_key& y = b.first;
    // PostgreSQL's default: blanks last ascending, first descending.
    if (x.blank != y.blank) return desc ? x.blank : y.blank;
    if (!x.blank) {
      if (x.number != y.number) return desc ? x.number > y.number : x.number < y.number;
      if (x.text != y.text) return desc ? x.text > y.text : x.text < y.text;
    }
    return desc ? a.second->id > b.second->id : a.second->id < b.second->id;
  };
  const auto end = hits_.begin() + static_cast<std::ptrdiff_t>(n);
  if (n == hits_.size())
    std::sort(hits_.begin(), hits_.end(), before);
  else
    std::partial_sort(hits_.begin(), end, hits_.end(), before);
  std::vector<const record*> out;
  out.reserve(n);
  for (auto it = hits_.begin(); it != end; ++it) out.push_back(it->second);
  return out;
}

std::vector<const record*> run_search(const store& s, std::size_t object, const search_plan& plan) {
  auto hits = find_hits(s, object, plan);
  return hits.first(hits.size());
}

}  // namespace kizen_emulator
