#pragma once
// What kizen.base_url may be: http(s) with a host; plain http only for loopback hosts.

#include <optional>
#include <string>
#include <string_view>

namespace ks::config {

// localhost, 127.0.0.0/8 or ::1 (the host part of a URL; IPv6 with or without brackets).
bool is_loopback_host(std::string_view host);

// Why `url` cannot be the Kizen base URL, or nullopt. The reason never repeats the URL.
std::optional<std::string> base_url_problem(std::string_view url);

// The URL without trailing slashes, so callers can append "/api/...".
std::string normalize_base_url(std::string_view url);

}  // namespace ks::config
