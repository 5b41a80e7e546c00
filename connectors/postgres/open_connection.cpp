#include "connectors/postgres/open_connection.hpp"

#include <cctype>
#include <pqxx/except>

namespace ks::pg {

ks::result<std::unique_ptr<pqxx::connection>, std::string> open_connection(const connection_settings& s) {
  auto conninfo = connection_string(s);
  if (!conninfo) return ks::fail(std::move(conninfo.error()));
  try {
    return std::make_unique<pqxx::connection>(*conninfo);
  } catch (const pqxx::broken_connection& e) {
    std::string reason = e.what();
    while (!reason.empty() && std::isspace(static_cast<unsigned char>(reason.back()))) reason.pop_back();
    // libpq quotes fragments of malformed strings in its messages; never let a password through.
    if (const auto options = parse_conninfo(s.url)) {
      for (const auto& o : *options) {
        if (o.key != "password" || o.value.empty()) continue;
        for (auto pos = reason.find(o.value); pos != std::string::npos; pos = reason.find(o.value, pos + 3))
          reason.replace(pos, o.value.size(), "***");
      }
    }
    return ks::fail("cannot connect to PostgreSQL at " + redact_url(s.url) + ": " + reason);
  }
}

}  // namespace ks::pg
