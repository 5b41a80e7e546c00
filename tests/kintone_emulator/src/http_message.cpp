#include "http_message.hpp"

#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <cctype>

namespace kintone_emulator {

namespace json = boost::json;

std::optional<std::string> request::header(std::string_view lower_name) const {
  for (const auto& [k, v] : headers)
    if (k == lower_name) return v;
  return std::nullopt;
}

response response::json(int status, const json::value& body) {
  response r;
  r.status = status;
  r.body = json::serialize(body);
  return r;
}

// What a load balancer in front of the service sends: an HTML page, not a Kintone error body.
response response::html(int status, std::string_view title) {
  response r;
  r.status = status;
  r.content_type = "text/html";
  r.body = "<html>\r\n<head><title>" + std::string(title) + "</title></head>\r\n<body>\r\n<center><h1>" +
           std::string(title) + "</h1></center>\r\n</body>\r\n</html>\r\n";
  return r;
}

std::optional<std::string> response::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (k == name) return v;
  return std::nullopt;
}

std::optional<std::string> parsed_target::param(std::string_view name) const {
  std::optional<std::string> out;
  for (const auto& [k, v] : params)
    if (k == name) out = v;
  return out;
}

namespace {

// Clients commonly send "fields[0]=a" or "ids[]=1" with raw brackets, which web servers accept;
// Boost.URL does not, so such characters are percent-encoded first.
std::string tolerant(std::string_view target) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : target) {
    const bool odd = c == '[' || c == ']' || c == '{' || c == '}' || c == '|' || c == '^' || c == '`' || c == '\\' ||
                     c == '"' || c == '<' || c == '>' || c == ' ' || c >= 0x80;
    if (!odd) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

}  // namespace

parsed_target parse_target(std::string_view raw) {
  parsed_target out;
  const std::string target = tolerant(raw);
  auto parsed = boost::urls::parse_origin_form(target);
  if (!parsed) return out;
  const boost::urls::url_view u = *parsed;
  out.valid = true;
  for (auto seg : u.segments()) {
    out.segments.push_back(seg);
    out.path += "/" + std::string(seg);
  }
  if (out.path.empty()) out.path = "/";
  if (!out.segments.empty() && out.segments.back().empty()) out.segments.pop_back();
  for (auto p : u.params()) out.params.emplace_back(p.key, p.has_value ? p.value : std::string());
  return out;
}

std::string base64_decode(std::string_view text, bool& ok) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  ok = false;
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (char c : text) {
    const int v = value(c);
    if (v < 0) return {};
    buffer = (buffer << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xFF);
    }
  }
  ok = true;
  return out;
}

}  // namespace kintone_emulator
