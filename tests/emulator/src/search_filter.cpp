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

std::string lower_text(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

value_family family_of(const field_def& f) {
  switch (f.type) {
    case field_type::text:
    case field_type::email: return value_family::text;
    case field_type::integer:
    case field_type::decimal:
    case field_type::money: return value_family::number;
    case field_type::date: return value_family::date;
    case field_type::datetime: return value_family::datetime;
    case field_type::checkbox: return value_family::checkbox;
    case field_type::dropdown: return value_family::select;
    case field_type::dynamictags: return value_family::tags;
    case field_type::relationship: return value_family::relationship;
  }
  return value_family::text;
}

long double stored_number(const field_value& v) {
  if (const auto* n = std::get_if<std::int64_t>(&v)) return static_cast<long double>(*n);
  if (const auto* t = std::get_if<std::string>(&v)) return std::strtold(t->c_str(), nullptr);
  return 0;
}

namespace {

using fail_t = ks::failure<std::string>;
using family = value_family;

std::string lower(std::string_view s) { return lower_text(s); }

using fail_t = ks::failure<std::string>;

constexpr std::pair<std::string_view, condition> condition_names[] = {
    {"=", condition::eq},
    {"!=", condition::ne},
    {"contains", condition::contains},
    {"!contains", condition::not_contains},
    {"starts_with", condition::starts_with},
    {"ends_with", condition::ends_with},
    {"is_blank", condition::is_blank},
    {"<", condition::lt},
    {"<=", condition::le},
    {">", condition::gt},
    {">=", condition::ge},
    {"between", condition::between},
    {"is_any_of", condition::is_any_of},
    {"is_none_of", condition::is_none_of},
    {"has", condition::has},
    {"!has", condition::not_has},
    {"has_any", condition::has_any},
    {"!has_any", condition::not_has_any},
};

bool allowed(family fam, condition c) {
  using C = condition;
  switch (fam) {
    case family::text:
      return c == C::eq || c == C::ne || c == C::contains || c == C::not_contains || c == C::starts_with ||
             c == C::ends_with || c == C::is_blank;
    case family::number:
    case family::date:
    case family::datetime:
      return c == C::eq || c == C::ne || c == C::lt || c == C::le || c == C::gt || c == C::ge || c == C::between ||
             c == C::is_blank;
    case family::checkbox: return c == C::eq || c == C::ne;
    case family::select: return c == C::eq || c == C::ne || c == C::is_any_of || c == C::is_none_of;
    case family::tags: return c == C::has || c == C::not_has || c == C::has_any || c == C::not_has_any;
    case family::relationship:
      return c == C::contains || c == C::not_contains || c == C::is_any_of || c == C::is_none_of || c == C::is_blank;
  }
  return false;
}

std::optional<long double> number_of(const json::value& v) {
  if (v.is_int64()) return static_cast<long double>(v.as_int64());
  if (v.is_uint64()) return static_cast<long double>(v.as_uint64());
  if (v.is_double()) return static_cast<long double>(v.as_double());
  if (v.is_string()) {
    auto d = canonical_decimal(v, false);
    if (!d) return std::nullopt;
    return std::strtold(d.value().c_str(), nullptr);
  }
  return std::nullopt;
}

// The operands of a condition: `between` takes two, list conditions one or more, others one.
ks::result<std::vector<const json::value*>, std::string> operands(const json::object& filter, condition c,
                                                                  const std::string& where) {
  const auto* v = filter.if_contains("value");
  std::vector<const json::value*> out;
  const bool listy = c == condition::is_any_of || c == condition::is_none_of || c == condition::has ||
                     c == condition::not_has || c == condition::has_any || c == condition::not_has_any ||
                     c == condition::contains || c == condition::not_contains;
  if (!v || v->is_null()) return fail_t{where + ": \"value\" is required."};
  if (c == condition::between) {
    if (!v->is_array() || v->as_array().size() != 2)
      return fail_t{where + ": between takes a list of two values [from, to]."};
    for (const auto& item : v->as_array()) out.push_back(&item);
    return out;
  }
  if (v->is_array()) {
    if (!listy) return fail_t{where + ": this condition takes a single value."};
    if (v->as_array().empty()) return fail_t{where + ": the value list is empty."};
    for (const auto& item : v->as_array()) out.push_back(&item);
    return out;
  }
  out.push_back(v);
  return out;
}

ks::result<filter_leaf, std::string> parse_leaf(const store& s, const object_def& object, const json::object& filter,
                                                const std::string& where) {
  auto str = [&](const char* key) -> std::string {
    const auto* v = filter.if_contains(key);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
  };
  const std::string type = str("type"), subtype = str("subtype"), field_text = str("field");
  const std::string cond_text = str("condition");
  const field_def* field = nullptr;
  if (type == "fields" && subtype == "non_custom") {
    field = object.field_by_name(field_text);
    if (!field || !field->is_default)
      return fail_t{where + ": unknown built-in field \"" + field_text + "\" for object \"" + object.name + "\"."};
  } else if (type == "fields_v2" && subtype == "custom") {
    constexpr std::string_view prefix = "\"custom\"::";
    if (field_text.rfind(prefix, 0) == 0) field = object.field_by_id(field_text.substr(prefix.size()));
    if (!field || field->is_default)
      return fail_t{where + ": unknown custom field \"" + field_text + "\" for object \"" + object.name +
                    "\" (expected \"custom\"::<field uuid>)."};
  } else {
    return fail_t{where + ": unknown filter type \"" + type + "\"/\"" + subtype +
                  "\" (expected fields/non_custom or fields_v2/custom)."};
  }
  filter_leaf leaf;
  leaf.field = field;
  const auto it = std::find_if(std::begin(condition_names), std::end(condition_names),
                               [&](const auto& p) { return p.first == cond_text; });
  const family fam = family_of(*field);
  if (it == std::end(condition_names) || !allowed(fam, it->second))
    return fail_t{where + ": condition \"" + cond_text + "\" does not apply to field \"" + field->name + "\" of type " +
                  std::string(to_string(field->type)) + "."};
  leaf.cond = it->second;
  if (leaf.cond == condition::is_blank) {
    const auto* v = filter.if_contains("value");
    if (v && !v->is_null() && !v->is_bool()) return fail_t{where + ": is_blank takes true or false."};
    leaf.want_blank = !v || v->is_null() || v->as_bool();
    return leaf;
  }
  auto ops = operands(filter, leaf.cond, where);
  if (!ops) return fail_t{std::move(ops).error()};
  const std::size_t oi = s.definitions().index_of(object);
  for (const json::value* v : ops.value()) {
    switch (fam) {
      case family::text:
        if (!v->is_string()) return fail_t{where + ": expected a string value for \"" + field->name + "\"."};
        leaf.texts.push_back(lower(v->as_string()));
        break;
      case family::number: {
        const auto n = number_of(*v);
        if (!n) return fail_t{where + ": expected a number for \"" + field->name + "\"."};
        leaf.numbers.push_back(*n);
        break;
      }
      case family::date:
        if (!v->is_string() || !is_valid_date(v->as_string()))
          return fail_t{where + ": expected a date YYYY-MM-DD for \"" + field->name + "\"."};
        leaf.texts.emplace_back(v->as_string());
        break;
      case family::datetime: {
        const auto ms = v->is_string() ? parse_datetime(v->as_string()) : std::nullopt;
        if (!ms) return fail_t{where + ": expected an ISO-8601 datetime for \"" + field->name + "\"."};
        leaf.times.push_back(*ms);
        break;
      }
      case family::checkbox:
        if (!v->is_bool()) return fail_t{where + ": expected true or false for \"" + field->name + "\"."};
        leaf.flag = v->as_bool();
        break;
      case family::select:
      case family::tags: {
        std::string key;
        const option* opt = nullptr;
        if (v->is_string()) {
          key = std::string(v->as_string());
          opt = s.option_by_id(oi, field->index, key);
          if (!opt) opt = s.option_by_name(oi, field->index, key);
        } else if (v->is_object()) {
          const auto* id = v->as_object().if_contains("id");
          const auto* name = v->as_object().if_contains("name");
          if (id && id->is_string())
            opt = s.option_by_id(oi, field->index, key = std::string(id->as_string()));
          else if (name && name->is_string())
            opt = s.option_by_name(oi, field->index, key = std::string(name->as_string()));
        }
        if (!opt) return fail_t{where + ": \"" + key + "\" is not an option of \"" + field->name + "\"."};
        leaf.texts.push_back(opt->id);
        break;
      }
      case family::relationship: {
        std::string id;
        if (v->is_string())
          id = std::string(v->as_string());
        else if (v->is_object() && v->as_object().if_contains("id") && v->as_object().at("id").is_string())
          id = std::string(v->as_object().at("id").as_string());
        if (!is_uuid(id)) return fail_t{where + ": expected record ids for \"" + field->name + "\"."};
        leaf.texts.push_back(lower_uuid(id));
        break;
      }
    }
  }
  return leaf;
}

ks::result<filter_node, std::string> parse_group(const store& s, const object_def& object, const json::value& group,
                                                 const std::string& where, int depth) {
  if (depth > 16) return fail_t{where + ": filters nested too deeply."};
  if (!group.is_object()) return fail_t{where + ": expected an object."};
  const auto& g = group.as_object();
  filter_node node;
  if (const auto* a = g.if_contains("and"); a && !a->is_null()) {
    if (!a->is_bool()) return fail_t{where + ".and: expected true or false."};
    node.all = a->as_bool();
  }
  const auto* filters = g.if_contains("filters");
  if (!filters || filters->is_null()) return node;
  if (!filters->is_array()) return fail_t{where + ".filters: expected a list."};
  const auto& list = filters->as_array();
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string here = where + ".filters[" + std::to_string(i) + "]";
    if (!list[i].is_object()) return fail_t{here + ": expected an object."};
    const auto& f = list[i].as_object();
    if (f.contains("filters")) {
      auto child = parse_group(s, object, list[i], here, depth + 1);
      if (!child) return child;
      node.children.push_back(std::move(child).value());
      continue;
    }
    auto leaf = parse_leaf(s, object, f, here);
    if (!leaf) return fail_t{std::move(leaf).error()};
    filter_node child;
    child.leaf = true;
    child.condition = std::move(leaf).value();
    node.children.push_back(std::move(child));
  }
  return node;
}

template <class T>
bool compare(condition c, const T& a, const std::vector<T>& b) {
  switch (c) {
    case condition::eq: return a == b[0];
    case condition::ne: return a != b[0];
    case condition::lt: return a < b[0];
    case condition::le: return a <= b[0];
    case condition::gt: return a > b[0];
    case condition::ge: return a >= b[0];
    case condition::between: return a >= b[0] && a <= b[1];
    default: return false;
  }
}

bool eval_leaf(const store& s, const record& r, const filter_leaf& leaf) {
  const field_def& f = *leaf.field;
  field_value ts;
  if (f.timestamp == timestamp_field::created) ts = r.created_ms;
  if (f.timestamp == timestamp_field::updated) ts = r.updated_ms;
  const field_value& v = f.read_only() ? ts : r.values[f.index];
  const family fam = family_of(f);
  std::vector<std::string> live;
  bool blank = is_blank(v);
  if (fam == family::relationship) {
    for (const record* t : live_targets(s, f, v)) live.push_back(t->id);
    blank = live.empty();
  }
  if (leaf.cond == condition::is_blank) return blank == leaf.want_blank;
  const bool negative = leaf.cond == condition::ne || leaf.cond == condition::not_contains ||
                        leaf.cond == condition::is_none_of || leaf.cond == condition::not_has ||
                        leaf.cond == condition::not_has_any;
  if (fam == family::checkbox) {
    const bool value = std::holds_alternative<bool>(v) && std::get<bool>(v);
    return (value == leaf.flag) == (leaf.cond == condition::eq);
  }
  if (blank) return negative;
  switch (fam) {
    case family::text: {
      const std::string text = lower(std::get<std::string>(v));
      const std::string& x = leaf.texts[0];
      switch (leaf.cond) {
        case condition::eq: return text == x;
        case condition::ne: return text != x;
        case condition::contains:
          return std::all_of(leaf.texts.begin(), leaf.texts.end(),
                             [&](const std::string& t) { return text.find(t) != std::string::npos; });
        case condition::not_contains:
          return std::none_of(leaf.texts.begin(), leaf.texts.end(),
                              [&](const std::string& t) { return text.find(t) != std::string::npos; });
        case condition::starts_with: return text.rfind(x, 0) == 0;
        case condition::ends_with:
          return text.size() >= x.size() && text.compare(text.size() - x.size(), x.size(), x) == 0;
        default: return false;
      }
    }
    case family::number: return compare(leaf.cond, stored_number(v), leaf.numbers);
    case family::date: return compare(leaf.cond, std::get<std::string>(v), leaf.texts);
    case family::datetime: return compare(leaf.cond, std::get<std::int64_t>(v), leaf.times);
    case family::select: {
      const auto& id = std::get<std::string>(v);
      const bool any = std::find(leaf.texts.begin(), leaf.texts.end(), id) != leaf.texts.end();
      return negative ? !any : any;
    }
    case family::tags:
    case family::relationship: {
      const std::vector<std::string>& have = fam == family::tags ? std::get<std::vector<std::string>>(v) : live;
      auto in = [&](const std::string& id) { return std::find(have.begin(), have.end(), id) != have.end(); };
      const bool all = std::all_of(leaf.texts.begin(), leaf.texts.end(), in);
      const bool any = std::any_of(leaf.texts.begin(), leaf.texts.end(), in);
      switch (leaf.cond) {
        case condition::has:
        case condition::contains: return all;
        case condition::not_has:
        case condition::not_contains: return !all;
        case condition::has_any:
        case condition::is_any_of: return any;
        case condition::not_has_any:
        case condition::is_none_of: return !any;
        default: return false;
      }
    }
    case family::checkbox: break;
  }
  return false;
}

}  // namespace

ks::result<filter_node, std::string> parse_filter(const store& s, const object_def& object, const json::value& group,
                                                  const std::string& where, int depth) {
  return parse_group(s, object, group, where, depth);
}

ks::result<filter_node, std::string> parse_filter_group(const store& s, const object_def& object,
                                                        const json::value& group) {
  return parse_filter(s, object, group, "query[0]", 0);
}

bool matches(const store& s, const record& r, const filter_node& node) {
  if (node.leaf) return eval_leaf(s, r, node.condition);
  if (node.children.empty()) return true;
  for (const auto& c : node.children) {
    const bool m = matches(s, r, c);
    if (node.all && !m) return false;
    if (!node.all && m) return true;
  }
  return node.all;
}

}  // namespace kizen_emulator
