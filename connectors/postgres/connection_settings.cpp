#include "connectors/postgres/connection_settings.hpp"

#include <algorithm>
#include <cctype>

namespace ks::pg {
namespace {

bool is_uri(std::string_view url) { return url.starts_with("postgresql://") || url.starts_with("postgres://"); }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> percent_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    const int hi = hex_value(text[i + 1]);
    const int lo = hex_value(text[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

std::string percent_encode(std::string_view text) {
  static const char* digits = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += digits[c >> 4];
      out += digits[c & 15];
    }
  }
  return out;
}

bool add_option(std::vector<conninfo_option>& out, std::string key, std::string_view raw, std::size_t begin) {
  auto value = percent_decode(raw);
  if (!value) return false;
  out.push_back({std::move(key), std::move(*value), begin, begin + raw.size()});
  return true;
}

std::optional<std::vector<conninfo_option>> parse_uri(std::string_view url) {
  std::vector<conninfo_option> out;
  const std::size_t start = url.find("://") + 3;
  const std::size_t authority_end = std::min(url.find_first_of("/?", start), url.size());
  const std::string_view authority = url.substr(start, authority_end - start);
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
    const std::string_view userinfo = authority.substr(0, at);
    const auto colon = userinfo.find(':');
    if (!add_option(out, "user", userinfo.substr(0, colon), start)) return std::nullopt;
    if (colon != std::string_view::npos && !add_option(out, "password", userinfo.substr(colon + 1), start + colon + 1))
      return std::nullopt;
  }
  const std::size_t query = std::min(url.find('?', authority_end), url.size());
  if (authority_end < query && url[authority_end] == '/' && query > authority_end + 1 &&
      !add_option(out, "dbname", url.substr(authority_end + 1, query - authority_end - 1), authority_end + 1))
    return std::nullopt;
  std::size_t pos = query + 1;
  while (pos < url.size()) {
    const std::size_t end = std::min(url.find('&', pos), url.size());
    const std::string_view param = url.substr(pos, end - pos);
    if (!param.empty()) {
      const auto eq = param.find('=');
      if (eq == std::string_view::npos || eq == 0) return std::nullopt;
      auto key = percent_decode(param.substr(0, eq));
      if (!key || !add_option(out, *key, param.substr(eq + 1), pos + eq + 1)) return std::nullopt;
    }
    pos = end + 1;
  }
  return out;
}

std::optional<std::vector<conninfo_option>> parse_keyword_value(std::string_view text) {
  std::vector<conninfo_option> out;
  auto space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  std::size_t i = 0;
  while (true) {
    while (i < text.size() && space(text[i])) ++i;
    if (i == text.size()) return out;
    const std::size_t key_begin = i;
    while (i < text.size() && text[i] != '=' && !space(text[i])) ++i;
    std::string key(text.substr(key_begin, i - key_begin));
    while (i < text.size() && space(text[i])) ++i;
    if (key.empty() || i == text.size() || text[i] != '=') return std::nullopt;
    ++i;
    while (i < text.size() && space(text[i])) ++i;
    conninfo_option option{std::move(key), {}, i, i};
    if (i < text.size() && text[i] == '\'') {
      ++i;
      while (true) {
        if (i == text.size()) return std::nullopt;  // unterminated quote
        if (text[i] == '\'') break;
        if (text[i] == '\\' && i + 1 < text.size()) ++i;
        option.value += text[i++];
      }
      ++i;
    } else {
      while (i < text.size() && !space(text[i])) {
        if (text[i] == '\\' && i + 1 < text.size()) ++i;
        option.value += text[i++];
      }
    }
    option.value_end = i;
    out.push_back(std::move(option));
  }
}

std::string quote_keyword_value(std::string_view value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\\' || c == '\'') out += '\\';
    out += c;
  }
  return out + "'";
}

}  // namespace

std::optional<std::vector<conninfo_option>> parse_conninfo(std::string_view url) {
  return is_uri(url) ? parse_uri(url) : parse_keyword_value(url);
}

ks::result<std::string, std::string> connection_string(const connection_settings& s) {
  const auto options = parse_conninfo(s.url);
  if (!options) return ks::fail(std::string("the PostgreSQL url is malformed"));
  std::vector<std::pair<std::string, std::string>> extra{
      {"application_name", s.application_name},
      {"connect_timeout", std::to_string(std::max<long long>(1, s.connect_timeout.count()))}};
  if (s.keepalive_idle) {
    const auto idle = std::to_string(std::max<long long>(1, s.keepalive_idle->count()));
    extra.insert(extra.end(),
                 {{"keepalives", "1"},
                  {"keepalives_idle", idle},
                  {"keepalives_interval", idle},
                  {"keepalives_count", "3"},
                  // Data sent but never acknowledged for as long as the keepalives take: the peer is gone.
                  {"tcp_user_timeout", std::to_string(std::max<long long>(1, s.keepalive_idle->count()) * 4000)}});
  }
  std::string out = s.url;
  const bool uri = is_uri(s.url);
  for (const auto& [key, value] : extra) {
    const bool set_by_url =
        std::any_of(options->begin(), options->end(), [&](const conninfo_option& o) { return o.key == key; });
    if (set_by_url || value.empty()) continue;
    if (uri) {
      if (out.find('?') == std::string::npos)
        out += '?';
      else if (out.back() != '?' && out.back() != '&')
        out += '&';
      out += key + "=" + percent_encode(value);
    } else {
      if (!out.empty()) out += ' ';
      out += key + "=" + quote_keyword_value(value);
    }
  }
  return out;
}

std::string redact_url(std::string_view url) {
  const auto options = parse_conninfo(url);
  if (!options) return "(unparseable connection string)";
  std::string out(url);
  // Replace from the back so earlier offsets stay valid.
  std::vector<conninfo_option> secrets;
  for (const auto& o : *options)
    if (o.key == "password") secrets.push_back(o);
  std::sort(secrets.begin(), secrets.end(), [](const auto& a, const auto& b) { return a.value_begin > b.value_begin; });
  for (const auto& o : secrets) out.replace(o.value_begin, o.value_end - o.value_begin, "***");
  return out;
}

}  // namespace ks::pg
