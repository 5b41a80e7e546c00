#include "value_codec.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <charconv>
#include <cmath>

#include "time_format.hpp"
#include "uuid.hpp"

namespace kizen_emulator {

namespace json = boost::json;

namespace {

constexpr std::size_t max_decimal_digits = 20;
constexpr std::size_t max_decimal_places = 10;

std::size_t utf8_length(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xc0) != 0x80) ++n;
  return n;
}

bool valid_email(std::string_view s) {
  const auto at = s.find('@');
  if (at == std::string_view::npos || at == 0 || s.find('@', at + 1) != std::string_view::npos) return false;
  const auto domain = s.substr(at + 1);
  const auto dot = domain.rfind('.');
  if (domain.empty() || dot == std::string_view::npos || dot == 0 || dot + 1 >= domain.size()) return false;
  for (unsigned char c : s)
    if (std::isspace(c) || c < 0x20) return false;
  return domain.find("..") == std::string_view::npos;
}

std::string number_text(const json::value& v) {
  if (v.is_int64()) return std::to_string(v.as_int64());
  if (v.is_uint64()) return std::to_string(v.as_uint64());
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v.as_double(), std::chars_format::fixed);
  return std::string(buf, r.ptr);
}

const json::string* id_member(const json::value& v) {
  if (!v.is_object()) return nullptr;
  const auto* id = v.as_object().if_contains("id");
  return id && id->is_string() ? &id->as_string() : nullptr;
}

// A named blank: GCC 12 warns (falsely) about moving a temporary monostate variant into result.
ks::result<field_value, std::string> blank_value() {
  static const field_value blank;
  return ks::result<field_value, std::string>(blank);
}

}  // namespace

ks::result<std::string, std::string> canonical_decimal(const json::value& v, bool money) {
  std::string text;
  if (v.is_string()) {
    text = std::string(v.as_string());
  } else if (v.is_number()) {
    if (v.is_double() && !std::isfinite(v.as_double())) return ks::fail(std::string("A valid number is required."));
    text = number_text(v);
  } else {
    return ks::fail(std::string("A valid number is required."));
  }
  std::size_t pos = 0;
  bool negative = false;
  if (pos < text.size() && (text[pos] == '-' || text[pos] == '+')) negative = text[pos++] == '-';
  std::string whole, fraction;
  while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) whole += text[pos++];
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) fraction += text[pos++];
    if (fraction.empty()) return ks::fail(std::string("A valid number is required."));
  }
  if (pos != text.size() || whole.empty()) return ks::fail(std::string("A valid number is required."));
  whole.erase(0, std::min(whole.find_first_not_of('0'), whole.size() - 1));
  const std::size_t places = money ? 2 : max_decimal_places;
  if (fraction.size() > places) {
    // A double such as 0.1 may print with more digits than the user typed; trailing zeros are
    // not precision.
    while (fraction.size() > places && fraction.back() == '0') fraction.pop_back();
    if (fraction.size() > places)
      return ks::fail("Ensure that there are no more than " + std::to_string(places) + " decimal places.");
  }
  if (money) fraction.resize(2, '0');
  if (whole.size() + fraction.size() > max_decimal_digits)
    return ks::fail("Ensure that there are no more than " + std::to_string(max_decimal_digits) + " digits in total.");
  const bool zero = whole == "0" && fraction.find_first_not_of('0') == std::string::npos;
  std::string out = negative && !zero ? "-" : "";
  out += whole;
  if (!fraction.empty()) out += "." + fraction;
  return out;
}

ks::result<field_value, std::string> parse_write_value(const store& s, const object_def& object, const field_def& field,
                                                       const json::value& v) {
  if (field.read_only()) return ks::fail(std::string("This field is read-only."));
  if (v.is_null()) return blank_value();
  const std::size_t oi = s.definitions().index_of(object);
  switch (field.type) {
    case field_type::text:
    case field_type::email: {
      if (!v.is_string()) return ks::fail(std::string("Not a valid string."));
      std::string text(v.as_string());
      if (utf8_length(text) > max_text_length)
        return ks::fail("Ensure this field has no more than " + std::to_string(max_text_length) + " characters.");
      if (text.empty()) return blank_value();
      if (field.type == field_type::email && !valid_email(text))
        return ks::fail(std::string("Enter a valid email address."));
      return field_value{std::move(text)};
    }
    case field_type::integer: {
      if (v.is_int64()) return field_value{v.as_int64()};
      if (v.is_double() && std::isfinite(v.as_double()) && std::floor(v.as_double()) == v.as_double() &&
          std::fabs(v.as_double()) < 9.2e18)
        return field_value{static_cast<std::int64_t>(v.as_double())};
      if (v.is_uint64())
        return ks::fail(std::string("Ensure this value is less than or equal to 9223372036854775807."));
      return ks::fail(std::string("A valid integer is required."));
    }
    case field_type::decimal:
    case field_type::money: {
      auto d = canonical_decimal(v, field.type == field_type::money);
      if (!d) return ks::fail(std::move(d).error());
      return field_value{std::move(d).value()};
    }
    case field_type::checkbox:
      if (!v.is_bool()) return ks::fail(std::string("Must be a valid boolean."));
      return field_value{v.as_bool()};
    case field_type::date:
      if (!v.is_string() || !is_valid_date(v.as_string()))
        return ks::fail(std::string("Date has wrong format. Use one of these formats instead: YYYY-MM-DD."));
      return field_value{std::string(v.as_string())};
    case field_type::datetime: {
      const auto ms = v.is_string() ? parse_datetime(v.as_string()) : std::nullopt;
      if (!ms)
        return ks::fail(std::string(
            "Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuu]]Z or +HH:MM."));
      return field_value{*ms};
    }
    case field_type::dropdown: {
      if (!v.is_object()) return ks::fail(std::string("Expected an object with \"id\" or \"name\"."));
      const auto& o = v.as_object();
      const auto* id = o.if_contains("id");
      const auto* name = o.if_contains("name");
      if ((!id || id->is_null()) && (!name || name->is_null()))
        return ks::fail(std::string("Expected an object with \"id\" or \"name\"."));
      const option* by_id = nullptr;
      if (id && !id->is_null()) {
        if (!id->is_string()) return ks::fail(std::string("\"id\" must be a string."));
        by_id = s.option_by_id(oi, field.index, id->as_string());
        if (!by_id) return ks::fail("\"" + std::string(id->as_string()) + "\" is not a valid choice.");
      }
      if (name && !name->is_null()) {
        if (!name->is_string()) return ks::fail(std::string("\"name\" must be a string."));
        const auto* by_name = s.option_by_name(oi, field.index, name->as_string());
        if (!by_name) return ks::fail("\"" + std::string(name->as_string()) + "\" is not a valid choice.");
        if (by_id && by_id != by_name) return ks::fail(std::string("\"id\" and \"name\" name different options."));
        by_id = by_name;
      }
      return field_value{by_id->id};
    }
    case field_type::relationship: {
      if (field.card == cardinality::to_many) {
        if (!v.is_array()) return ks::fail(std::string("Expected a list of objects with \"id\"."));
        std::vector<std::string> ids;
        for (const auto& item : v.as_array()) {
          auto id = parse_list_item(s, object, field, item, false);
          if (!id) return ks::fail(std::move(id).error());
          if (std::find(ids.begin(), ids.end(), id.value()) == ids.end()) ids.push_back(std::move(id).value());
        }
        return field_value{std::move(ids)};
      }
      auto id = parse_list_item(s, object, field, v, false);
      if (!id) return ks::fail(std::move(id).error());
      return field_value{std::move(id).value()};
    }
    case field_type::dynamictags: break;
  }
  return ks::fail(std::string("This field takes add_values and remove_values, not value."));
}

ks::result<std::string, std::string> parse_list_item(const store& s, const object_def& object, const field_def& field,
                                                     const json::value& item, bool create_if_missing) {
  if (field.type == field_type::relationship) {
    const auto* id = id_member(item);
    if (!id) return ks::fail(std::string("Expected an object with \"id\"."));
    const auto& target = s.definitions().objects[field.target_object];
    const record* r = is_uuid(*id) ? s.find(field.target_object, *id) : nullptr;
    if (!r || r->archived) return ks::fail("\"" + std::string(*id) + "\" is not a live " + target.name + " record.");
    return r->id;
  }
  const std::size_t oi = s.definitions().index_of(object);
  if (!item.is_object()) return ks::fail(std::string("Expected an object with \"id\" or \"name\"."));
  const auto& o = item.as_object();
  if (const auto* id = o.if_contains("id"); id && !id->is_null()) {
    if (!id->is_string()) return ks::fail(std::string("\"id\" must be a string."));
    const auto* opt = s.option_by_id(oi, field.index, id->as_string());
    if (!opt) return ks::fail("\"" + std::string(id->as_string()) + "\" is not a valid choice.");
    return opt->id;
  }
  const auto* name = o.if_contains("name");
  if (!name || !name->is_string() || name->as_string().empty())
    return ks::fail(std::string("Expected an object with \"id\" or \"name\"."));
  if (utf8_length(name->as_string()) > max_text_length)
    return ks::fail("Ensure a tag has no more than " + std::to_string(max_text_length) + " characters.");
  if (const auto* opt = s.option_by_name(oi, field.index, name->as_string())) return opt->id;
  if (!create_if_missing) return std::string();  // nothing to remove
  return "new:" + std::string(name->as_string());
}

void commit_pending_tags(store& s, std::size_t object, std::vector<field_value>& values) {
  const auto& def = s.definitions().objects[object];
  for (const auto& f : def.fields) {
    if (f.type != field_type::dynamictags) continue;
    auto* list = std::get_if<std::vector<std::string>>(&values[f.index]);
    if (!list) continue;
    for (auto& id : *list) {
      if (id.rfind("new:", 0) != 0) continue;
      const std::string name = id.substr(4);
      const option* opt = s.option_by_name(object, f.index, name);
      id = opt ? opt->id : s.add_option(object, f.index, name).id;
    }
    // Two placeholders for one new name become one tag.
    std::vector<std::string> unique;
    for (auto& id : *list)
      if (std::find(unique.begin(), unique.end(), id) == unique.end()) unique.push_back(std::move(id));
    *list = std::move(unique);
  }
}

std::vector<const record*> live_targets(const store& s, const field_def& field, const field_value& value) {
  std::vector<const record*> out;
  auto add = [&](const std::string& id) {
    const record* r = s.find(field.target_object, id);
    if (r && !r->archived) out.push_back(r);
  };
  if (const auto* one = std::get_if<std::string>(&value)) add(*one);
  if (const auto* many = std::get_if<std::vector<std::string>>(&value))
    for (const auto& id : *many) add(id);
  return out;
}

json::value render_value(const store& s, const object_def& object, const field_def& field, const field_value& value,
                         json::value* summary) {
  const std::size_t oi = s.definitions().index_of(object);
  switch (field.type) {
    case field_type::checkbox: return json::value(std::holds_alternative<bool>(value) && std::get<bool>(value));
    case field_type::integer:
      if (const auto* n = std::get_if<std::int64_t>(&value)) return json::value(*n);
      return nullptr;
    case field_type::datetime:
      if (const auto* n = std::get_if<std::int64_t>(&value)) return json::value(format_datetime(*n));
      return nullptr;
    case field_type::dropdown: {
      const auto* id = std::get_if<std::string>(&value);
      const option* opt = id ? s.option_by_id(oi, field.index, *id) : nullptr;
      if (!opt) return nullptr;
      return json::object{{"id", opt->id}, {"name", opt->name}};
    }
    case field_type::dynamictags: {
      json::array out;
      if (const auto* ids = std::get_if<std::vector<std::string>>(&value))
        for (const auto& id : *ids)
          if (const option* opt = s.option_by_id(oi, field.index, id))
            out.push_back(json::object{{"id", opt->id}, {"name", opt->name}});
      return out;
    }
    case field_type::relationship: {
      const auto targets = live_targets(s, field, value);
      auto item = [&](const record* r) {
        const auto name = s.display_name(*r);
        return json::object{{"id", r->id}, {"name", name}, {"display_name", name}};
      };
      if (field.card == cardinality::to_one) {
        if (targets.empty()) return nullptr;
        return item(targets.front());
      }
      json::array out;
      for (std::size_t i = 0; i < targets.size() && i < relationship_inline_limit; ++i) out.push_back(item(targets[i]));
      if (summary && targets.size() > relationship_inline_limit) *summary = json::object{{"count", targets.size()}};
      return out;
    }
    default:
      if (const auto* text = std::get_if<std::string>(&value)) return json::value(*text);
      return nullptr;
  }
}

json::value plain_value(const store& s, const object_def& object, const field_def& field, const field_value& value) {
  const std::size_t oi = s.definitions().index_of(object);
  switch (field.type) {
    case field_type::dropdown: {
      const auto* id = std::get_if<std::string>(&value);
      const option* opt = id ? s.option_by_id(oi, field.index, *id) : nullptr;
      return opt ? json::value(opt->name) : json::value(nullptr);
    }
    case field_type::dynamictags: {
      json::array out;
      if (const auto* ids = std::get_if<std::vector<std::string>>(&value))
        for (const auto& id : *ids)
          if (const option* opt = s.option_by_id(oi, field.index, id)) out.push_back(json::value(opt->name));
      return out;
    }
    case field_type::relationship: {
      if (field.card == cardinality::to_one) {
        const auto* id = std::get_if<std::string>(&value);
        return id ? json::value(*id) : json::value(nullptr);
      }
      json::array out;
      if (const auto* ids = std::get_if<std::vector<std::string>>(&value))
        for (const auto& id : *ids) out.push_back(json::value(id));
      return out;
    }
    case field_type::checkbox:
      if (const auto* b = std::get_if<bool>(&value)) return json::value(*b);
      return nullptr;
    default: return render_value(s, object, field, value);
  }
}

ks::result<field_value, std::string> parse_plain_value(store& s, const object_def& object, const field_def& field,
                                                       const json::value& v) {
  const std::size_t oi = s.definitions().index_of(object);
  if (v.is_null()) return blank_value();
  switch (field.type) {
    case field_type::dropdown: {
      const option* opt = v.is_string() ? s.option_by_name(oi, field.index, v.as_string()) : nullptr;
      if (!opt) return ks::fail(std::string("unknown option"));
      return field_value{opt->id};
    }
    case field_type::dynamictags: {
      if (!v.is_array()) return ks::fail(std::string("expected a list of tag names"));
      std::vector<std::string> ids;
      for (const auto& item : v.as_array()) {
        if (!item.is_string()) return ks::fail(std::string("expected a list of tag names"));
        const option* opt = s.option_by_name(oi, field.index, item.as_string());
        ids.push_back(opt ? opt->id : s.add_option(oi, field.index, std::string(item.as_string())).id);
      }
      return field_value{std::move(ids)};
    }
    case field_type::relationship: {
      if (field.card == cardinality::to_one) {
        if (!v.is_string() || !is_uuid(v.as_string())) return ks::fail(std::string("expected a record id"));
        return field_value{lower_uuid(v.as_string())};
      }
      if (!v.is_array()) return ks::fail(std::string("expected a list of record ids"));
      std::vector<std::string> ids;
      for (const auto& item : v.as_array()) {
        if (!item.is_string() || !is_uuid(item.as_string()))
          return ks::fail(std::string("expected a list of record ids"));
        ids.push_back(lower_uuid(item.as_string()));
      }
      return field_value{std::move(ids)};
    }
    default: return parse_write_value(s, object, field, v);
  }
}

}  // namespace kizen_emulator
