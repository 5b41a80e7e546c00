#include "http_message.hpp"

#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <cctype>

namespace kizen_emulator {

namespace json = boost::json;

response response::json(int status, const json::value& body) {
  response r;
  r.status = status;
  r.body = json::serialize(body);
  return r;
}

response response::detail(int status, std::string_view message) {
  return json(status, json::object{{"detail", message}});
}

std::optional<std::string> parsed_target::param(std::string_view name) const {
  std::optional<std::string> out;
  for (const auto& [k, v] : params)
    if (k == name) out = v;
  return out;
}

parsed_target parse_target(std::string_view target) {
  parsed_target out;
  auto parsed = boost::urls::parse_origin_form(target);
  if (!parsed) return out;
  const boost::urls::url_view u = *parsed;
  out.valid = true;
  out.path = std::string(u.encoded_path());
  for (auto seg : u.segments()) out.segments.push_back(seg);
  if (!out.segments.empty() && out.segments.back().empty()) out.segments.pop_back();
  for (auto p : u.params()) out.params.emplace_back(p.key, p.has_value ? p.value : std::string());
  return out;
}

std::optional<bool> parse_flag(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  std::string t = *text;
  for (auto& c : t) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (t == "true" || t == "1" || t == "yes") return true;
  if (t == "false" || t == "0" || t == "no") return false;
  return std::nullopt;
}

std::string percent_encode(std::string_view text) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

}  // namespace kizen_emulator
