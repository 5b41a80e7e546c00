#include "connectors/kizen/endpoint.hpp"

#include <algorithm>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <cctype>

namespace ks::kizen {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

bool is_loopback_host(std::string_view host_in) {
  const std::string host = lower(host_in);
  if (host == "localhost" || ends_with(host, ".localhost")) return true;
  if (host == "::1" || host == "[::1]") return true;
  // 127.0.0.0/8 in dotted-quad form only.
  const auto v4 = boost::urls::parse_ipv4_address(host);
  return v4 && v4->is_loopback();
}

result<endpoint, std::string> endpoint::parse(std::string_view base_url) {
  auto parsed = boost::urls::parse_uri(base_url);
  if (!parsed) return fail("base_url '" + std::string(base_url) + "' is not an absolute URL");
  const boost::urls::url_view u = *parsed;
  endpoint ep;
  const std::string scheme = lower(u.scheme());
  if (scheme == "https") {
    ep.tls = true;
  } else if (scheme == "http") {
    ep.tls = false;
  } else {
    return fail("base_url must start with https:// (or http:// for a loopback host), not " + scheme + "://");
  }
  if (!u.has_authority() || u.encoded_host().empty()) return fail(std::string("base_url has no host"));
  if (u.has_userinfo()) return fail(std::string("base_url must not carry user info"));
  if (u.has_query() || u.has_fragment()) return fail(std::string("base_url must not have a query or fragment"));
  if (u.host_type() == boost::urls::host_type::ipv6) {
    ep.host = lower(u.host_ipv6_address().to_string());
  } else if (u.host_type() == boost::urls::host_type::ipvfuture) {
    return fail(std::string("base_url host is not supported"));
  } else {
    ep.host = lower(u.host());
  }
  if (u.has_port()) {
    if (u.port().empty() || u.port_number() == 0 || u.port().size() > 5 || std::stoul(std::string(u.port())) > 65535)
      return fail("base_url port '" + std::string(u.port()) + "' is not valid");
    ep.port = u.port_number();
  } else {
    ep.port = ep.tls ? 443 : 80;
  }
  ep.loopback = is_loopback_host(ep.host);
  if (!ep.tls && !ep.loopback)
    return fail("base_url " + std::string(base_url) +
                ": plain http:// is only allowed for loopback hosts (localhost, 127.0.0.1, ::1); use https://");
  std::string prefix(u.encoded_path());
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  ep.path_prefix = prefix;
  return ep;
}

std::string endpoint::host_header() const {
  const bool v6 = host.find(':') != std::string::npos;
  std::string h = v6 ? "[" + host + "]" : host;
  if (port != (tls ? 443 : 80)) h += ":" + std::to_string(port);
  return h;
}

result<std::string, std::string> endpoint::same_origin_target(std::string_view url) const {
  if (!url.empty() && url.front() == '/' && (url.size() < 2 || url[1] != '/')) {
    auto rel = boost::urls::parse_origin_form(url);
    if (!rel) return fail("'" + std::string(url) + "' is not a valid path");
    return std::string(url);
  }
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) return fail("'" + std::string(url) + "' is not a valid URL");
  auto other = endpoint::parse(std::string(parsed->scheme()) + "://" + std::string(parsed->encoded_authority()));
  if (!other) return fail("'" + std::string(url) + "': " + other.error());
  if (other->tls != tls || other->host != host || other->port != port)
    return fail("refusing to follow '" + std::string(url) + "': it points at " + other->host_header() + " (" +
                (other->tls ? "https" : "http") + "), not at " + host_header() + " (" + (tls ? "https" : "http") + ")");
  std::string target(parsed->encoded_path());
  if (target.empty()) target = "/";
  if (parsed->has_query()) {
    target += '?';
    target += parsed->encoded_query();
  }
  return target;
}

}  // namespace ks::kizen
