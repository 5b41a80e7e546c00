#include "daemon/engine/mapping/value_codec.hpp"

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cstdio>

namespace ks::engine {

namespace json = boost::json;

namespace {

std::string describe(const json::value& v) {
  std::string s = json::serialize(v);
  if (s.size() > 60) s = s.substr(0, 57) + "...";
  return s;
}

// The value as text if it is a scalar string/number/bool (numbers arrive as text already).
std::optional<std::string> scalar_text(const json::value& v) {
  if (v.is_string()) return std::string(v.get_string());
  if (v.is_int64()) return std::to_string(v.get_int64());
  if (v.is_uint64()) return std::to_string(v.get_uint64());
  if (v.is_double()) return json::serialize(v);
  if (v.is_bool()) return v.get_bool() ? "true" : "false";
  return std::nullopt;
}

bool is_decimal_text(std::string_view s) {
  std::size_t i = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
  std::size_t digits = 0, frac = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++frac;
  }
  return i == s.size() && digits + frac > 0;
}

// "+1.50" → "1.50", "-0" kept as is; no exponent forms (PostgreSQL numeric text has none).
std::string normalize_decimal(std::string s) {
  if (!s.empty() && s[0] == '+') s.erase(0, 1);
  if (!s.empty() && s[0] == '.') s.insert(0, "0");
  if (s.size() > 1 && s[0] == '-' && s[1] == '.') s.insert(1, "0");
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

bool parse_digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

bool valid_date(int y, int m, int d) {
  using namespace std::chrono;
  return year_month_day{year{y}, month{static_cast<unsigned>(m)}, day{static_cast<unsigned>(d)}}.ok();
}

}  // namespace

ks::result<std::string, std::string> to_kizen_datetime(std::string_view s) {
  // YYYY-MM-DD[T ]HH:MM:SS[.ffffff][Z|±HH[:MM[:SS]]]
  int y, mo, d, h, mi, sec;
  const std::string bad = "'" + std::string(s) + "' is not a timestamp (YYYY-MM-DDTHH:MM:SS[.fff][±HH:MM])";
  if (!parse_digits(s, 0, 4, y) || s.size() < 19 || s[4] != '-' || !parse_digits(s, 5, 2, mo) || s[7] != '-' ||
      !parse_digits(s, 8, 2, d) || (s[10] != 'T' && s[10] != ' ') || !parse_digits(s, 11, 2, h) || s[13] != ':' ||
      !parse_digits(s, 14, 2, mi) || s[16] != ':' || !parse_digits(s, 17, 2, sec) || !valid_date(y, mo, d) || h > 23 ||
      mi > 59 || sec > 60)
    return ks::fail(bad);
  std::size_t i = 19;
  int millis = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    int scale = 100;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
      millis += (s[i] - '0') * scale;  // truncate below milliseconds
      scale /= 10;
      ++i;
    }
  }
  int offset_minutes = 0;
  if (i < s.size()) {
    if (s[i] == 'Z') {
      ++i;
    } else if (s[i] == '+' || s[i] == '-') {
      const int sign = s[i] == '-' ? -1 : 1;
      int oh = 0, om = 0;
      if (!parse_digits(s, i + 1, 2, oh)) return ks::fail(bad);
      i += 3;
      if (i < s.size() && s[i] == ':') ++i;
      if (i < s.size()) {
        if (!parse_digits(s, i, 2, om)) return ks::fail(bad);
        i += 2;
      }
      if (i < s.size() && s[i] == ':') i += 3;  // seconds in historic offsets: ignored
      offset_minutes = sign * (oh * 60 + om);
    }
  }
  if (i != s.size()) return ks::fail(bad);
  using namespace std::chrono;
  const sys_days days{year{y} / month{static_cast<unsigned>(mo)} / day{static_cast<unsigned>(d)}};
  const auto tp = sys_time<milliseconds>(days) + hours(h) + minutes(mi) + seconds(sec) + milliseconds(millis) -
                  minutes(offset_minutes);
  const auto dp = floor<std::chrono::days>(tp);
  const year_month_day ymd{dp};
  const hh_mm_ss<milliseconds> tod{tp - dp};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(tod.hours().count()), static_cast<int>(tod.minutes().count()),
                static_cast<int>(tod.seconds().count()), static_cast<int>(tod.subseconds().count()));
  return std::string(buf);
}

ks::result<std::string, std::string> key_text(const json::value& v) {
  if (auto t = scalar_text(v); t && !v.is_bool()) return *t;
  return ks::fail("key value " + describe(v) + " is not a string or number");
}

ks::result<std::vector<std::string>, std::string> multi_value_items(const json::value& v) {
  std::vector<std::string> items;
  if (v.is_null()) return items;
  if (!v.is_array()) return ks::fail("expected an array (e.g. text[]), got " + describe(v));
  for (const auto& item : v.get_array()) {
    if (item.is_null()) continue;
    auto t = scalar_text(item);
    if (!t || item.is_bool()) return ks::fail("array item " + describe(item) + " is not a string or number");
    if (std::find(items.begin(), items.end(), *t) == items.end()) items.push_back(std::move(*t));
  }
  return items;
}

ks::result<json::value, std::string> option_item(const field_binding& field, const std::string& name) {
  for (const auto& o : field.field.options)
    if (o.name == name) return json::value{{"id", o.id}};
  if (field.field.type == "dynamictags") return json::value{{"name", name}};
  return ks::fail("'" + name + "' is not an option of " + field.field.type + " field '" + field.field.name + "'");
}

ks::result<json::value, std::string> to_kizen_value(const field_binding& field, const json::value& v) {
  if (v.is_null()) return json::value(nullptr);
  const auto text = scalar_text(v);
  switch (field.kind) {
    case value_kind::text:
      if (!text) return ks::fail("expected text, got " + describe(v));
      return json::value(*text);
    case value_kind::integer: {
      if (!text || v.is_bool()) return ks::fail("expected an integer, got " + describe(v));
      std::string_view s = *text;
      // numeric columns may render integral values as "12.000"
      if (const auto dot = s.find('.');
          dot != std::string_view::npos && s.find_first_not_of('0', dot + 1) == std::string_view::npos)
        s = s.substr(0, dot);
      std::int64_t n = 0;
      const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
      if (ec != std::errc() || end != s.data() + s.size()) return ks::fail("expected an integer, got " + describe(v));
      return json::value(n);
    }
    case value_kind::decimal:
      if (!text || v.is_bool() || !is_decimal_text(*text))
        return ks::fail("expected a decimal number, got " + describe(v));
      return json::value(normalize_decimal(*text));
    case value_kind::boolean:
      if (v.is_bool()) return v;
      if (text && (*text == "true" || *text == "false")) return json::value(*text == "true");
      return ks::fail("expected a boolean, got " + describe(v));
    case value_kind::date: {
      int y, m, d;
      if (!text || text->size() < 10 || !parse_digits(*text, 0, 4, y) || (*text)[4] != '-' ||
          !parse_digits(*text, 5, 2, m) || (*text)[7] != '-' || !parse_digits(*text, 8, 2, d) || !valid_date(y, m, d) ||
          (text->size() > 10 && (*text)[10] != 'T' && (*text)[10] != ' '))
        return ks::fail("expected a date (YYYY-MM-DD), got " + describe(v));
      return json::value(text->substr(0, 10));
    }
    case value_kind::datetime: {
      if (!text) return ks::fail("expected a timestamp, got " + describe(v));
      auto r = to_kizen_datetime(*text);
      if (!r) return ks::fail(r.error());
      return json::value(*r);
    }
    case value_kind::option: {
      if (!text) return ks::fail("expected an option name, got " + describe(v));
      for (const auto& o : field.field.options)
        if (o.name == *text) return json::value{{"id", o.id}};
      std::string allowed;
      for (const auto& o : field.field.options) allowed += (allowed.empty() ? "" : ", ") + o.name;
      return ks::fail("'" + *text + "' is not an option of '" + field.field.name + "' (options: " + allowed + ")");
    }
    case value_kind::options:
    case value_kind::relationship_one:
    case value_kind::relationship_many: break;
  }
  return ks::fail(std::string("internal: to_kizen_value does not handle ") + to_string(field.kind));
}

}  // namespace ks::engine
