#pragma once
// The parsed base_url of the Kizen API: where requests go, and the check that a "next" URL
// from a paginated answer points at the same server.

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace ks::kizen {

struct endpoint {
  bool tls = true;   // https
  std::string host;  // lower-case name or IP literal (no brackets)
  std::uint16_t port = 443;
  std::string path_prefix;  // "" or "/prefix" (no trailing slash), put before every /api/... target
  bool loopback = false;    // host is localhost, 127.0.0.0/8 or ::1

  // Accepts http(s)://host[:port][/prefix]. Plain http is refused unless the host is loopback
  // (the emulator); user info, query and fragment are refused. Errors name what is wrong.
  static result<endpoint, std::string> parse(std::string_view base_url);

  // "host:port" as the Host header wants it (port omitted when it is the scheme's default).
  std::string host_header() const;

  // The origin-form target (path and query) of a URL the server handed out, e.g. a page's
  // "next": absolute URLs must have this endpoint's scheme, host and port; a target starting
  // with "/" is taken as is. Anything else is refused.
  result<std::string, std::string> same_origin_target(std::string_view url) const;
};

// True for "localhost" (and names under .localhost), 127.0.0.0/8 and ::1.
bool is_loopback_host(std::string_view host);

}  // namespace ks::kizen
