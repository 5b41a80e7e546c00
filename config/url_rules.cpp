#include "config/url_rules.hpp"

#include <boost/url/ipv4_address.hpp>
#include <boost/url/ipv6_address.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

namespace ks::config {

namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

constexpr const char* loopback_rule =
    "may use plain http:// only for loopback hosts (localhost, 127.0.0.0/8, ::1); use https://";

}  // namespace

bool is_loopback_host(std::string_view host) {
  if (iequals(host, "localhost")) return true;
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (auto v4 = boost::urls::parse_ipv4_address(host)) {
    return (v4->to_uint() >> 24) == 127;
  }
  if (auto v6 = boost::urls::parse_ipv6_address(host)) {
    return v6->is_loopback();
  }
  return false;
}

std::optional<std::string> base_url_problem(std::string_view url) {
  if (url.empty()) return std::string("is empty");
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed) {
    return std::string("is not a valid URL; expected e.g. https://app.go.kizen.com");
  }
  const boost::urls::url_view& u = *parsed;
  const bool http = iequals(u.scheme(), "http");
  const bool https = iequals(u.scheme(), "https");
  if (!http && !https) return std::string("must start with https:// (or http:// for loopback)");
  if (!u.has_authority() || u.encoded_host().empty()) return std::string("has no host");
  if (u.has_userinfo()) {
    return std::string("must not contain a user name or password; the key goes in kizen.api_key");
  }
  if (u.has_port()) {
    // port_number() wraps above 65535, so the digits are checked here.
    const std::string_view port = u.port();
    unsigned long value = 0;
    bool ok = !port.empty() && port.size() <= 5;
    for (char c : port) {
      ok = ok && c >= '0' && c <= '9';
      if (ok) value = value * 10 + static_cast<unsigned long>(c - '0');
    }
    if (!ok || value < 1 || value > 65535) return std::string("has an invalid port (1..65535)");
  }
  if (u.has_query() || u.has_fragment()) {
    return std::string("must not have a query (?...) or fragment (#...)");
  }
  if (http) {
    std::string host;
    if (u.host_type() == boost::urls::host_type::ipv6) {
      host = u.host_ipv6_address().to_string();
    } else {
      host = u.host();
    }
    if (!is_loopback_host(host)) return std::string(loopback_rule);
  }
  return std::nullopt;
}

std::string normalize_base_url(std::string_view url) {
  while (!url.empty() && url.back() == '/') url.remove_suffix(1);
  return std::string(url);
}

}  // namespace ks::config
