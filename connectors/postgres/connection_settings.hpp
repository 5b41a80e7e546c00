#pragma once
// How PostgreSQL connections are opened, the same way everywhere: with an application_name (so
// operators see who is connected in pg_stat_activity), a connect timeout (every network step has
// a deadline), optional TCP keepalives, and error messages that never show the password. Pure:
// open_connection.hpp opens them.

#include "common/result.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ks::pg {

struct connection_settings {
  std::string url;  // libpq URI (postgresql://...) or key=value string; may hold a password
  std::string application_name = "kizen-sync";
  std::chrono::seconds connect_timeout{10};
  // When set: TCP keepalives after this much idle time, and tcp_user_timeout of four times it, so
  // a silently dead peer is noticed, waiting or sending. Ignored for Unix sockets.
  std::optional<std::chrono::seconds> keepalive_idle;
};

// The libpq connection string for `s`: its url plus application_name, connect_timeout and the
// keepalive options, each only where the url does not set that option itself.
// Fails when the url cannot be parsed.
ks::result<std::string, std::string> connection_string(const connection_settings& s);

// `url` with any password replaced by "***" (URI user info, URI `password=` parameter, or the
// `password` keyword), for logs and error messages. A string that cannot be parsed is not shown
// at all (it might be mostly password).
std::string redact_url(std::string_view url);

// One option of a connection string, with where its value sits in the text.
struct conninfo_option {
  std::string key;
  std::string value;  // unescaped / percent-decoded
  std::size_t value_begin = 0;
  std::size_t value_end = 0;
};

// The options of a URI (user, password, host, port, dbname and query parameters) or key=value
// string; nothing when it is malformed.
std::optional<std::vector<conninfo_option>> parse_conninfo(std::string_view url);

}  // namespace ks::pg
