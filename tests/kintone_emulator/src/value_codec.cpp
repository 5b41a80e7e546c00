#include "value_codec.hpp"

#include <boost/json.hpp>

#include "decimal.hpp"
#include "time_format.hpp"

namespace kintone_emulator {

namespace json = boost::json;

namespace {

using result = ks::result<json::value, value_problem>;

result problem(value_problem::kind_t k, std::string detail = {}) {
  return ks::fail(value_problem{k, std::move(detail)});
}

std::string number_text(const json::value& v) {
  if (v.is_int64()) return std::to_string(v.get_int64());
  if (v.is_uint64()) return std::to_string(v.get_uint64());
  return json::serialize(v);  // a double, in the shortest form that reads back the same
}

result string_list(const field_def& f, const json::value& written) {
  if (written.is_null()) return json::value(json::array{});
  if (!written.is_array()) return problem(value_problem::bad_value);
  json::array out;
  for (const auto& item : written.get_array()) {
    if (!item.is_string()) return problem(value_problem::bad_value);
    if (!f.has_option(item.get_string())) return problem(value_problem::not_an_option, std::string(item.get_string()));
    bool seen = false;
    for (const auto& o : out) seen |= o == item;
    if (!seen) out.push_back(item);
  }
  return json::value(std::move(out));
}

}  // namespace

result normalise_value(const field_def& f, const json::value& written, const schema& directory) {
  switch (f.type) {
    case field_type::single_line_text:
    case field_type::multi_line_text:
    case field_type::link:
      if (written.is_null()) return json::value("");
      if (!written.is_string()) return problem(value_problem::bad_value);
      return written;
    case field_type::number: {
      if (written.is_null()) return json::value("");
      std::string text;
      if (written.is_string())
        text = std::string(written.get_string());
      else if (written.is_number())
        text = number_text(written);
      else
        return problem(value_problem::bad_value);
      if (text.find_first_not_of(" \t\r\n") == std::string::npos) return json::value("");
      const auto n = normalise_number(text);
      if (!n) return problem(value_problem::not_a_number);
      return json::value(*n);
    }
    case field_type::check_box:
    case field_type::multi_select: return string_list(f, written);
    case field_type::radio_button:
    case field_type::drop_down:
      if (written.is_null() || (written.is_string() && written.get_string().empty())) return json::value(nullptr);
      if (!written.is_string()) return problem(value_problem::bad_value);
      if (!f.has_option(written.get_string()))
        return problem(value_problem::not_an_option, std::string(written.get_string()));
      return written;
    case field_type::date:
      if (written.is_null() || (written.is_string() && written.get_string().empty())) return json::value(nullptr);
      if (!written.is_string() || !is_valid_date(written.get_string())) return problem(value_problem::bad_date);
      return written;
    case field_type::datetime: {
      if (written.is_null() || (written.is_string() && written.get_string().empty())) return json::value("");
      if (!written.is_string()) return problem(value_problem::bad_datetime);
      const auto ms = parse_datetime(written.get_string());
      if (!ms) return problem(value_problem::bad_datetime);
      return json::value(format_datetime(truncate_to_minute(*ms)));
    }
    case field_type::user_select: {
      if (written.is_null()) return json::value(json::array{});
      if (!written.is_array()) return problem(value_problem::bad_value);
      json::array out;
      for (const auto& item : written.get_array()) {
        const auto* code = item.is_object() ? item.get_object().if_contains("code") : nullptr;
        if (!code || !code->is_string()) return problem(value_problem::bad_value);
        const auto* u = directory.user(code->get_string());
        if (!u) return problem(value_problem::unknown_user, std::string(code->get_string()));
        out.push_back(json::object{{"code", u->login}, {"name", u->name}});
      }
      return json::value(std::move(out));
    }
    case field_type::file:
      // The emulator has no file upload, so no fileKey can be valid: only an empty list is.
      if (written.is_null() || (written.is_array() && written.get_array().empty())) return json::value(json::array{});
      return problem(value_problem::bad_value);
    default: return problem(value_problem::bad_value);
  }
}

json::value blank_value(const field_def& f) {
  switch (f.type) {
    case field_type::date:
    case field_type::radio_button:
    case field_type::drop_down: return nullptr;
    case field_type::check_box:
    case field_type::multi_select:
    case field_type::user_select:
    case field_type::subtable:
    case field_type::file: return json::array{};
    default: return "";
  }
}

bool is_blank(const json::value& v) {
  if (v.is_null()) return true;
  if (v.is_string()) return v.get_string().empty();
  if (v.is_array()) return v.get_array().empty();
  return false;
}

}  // namespace kintone_emulator
