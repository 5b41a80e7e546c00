#pragma once
// Rules for table, schema and column names taken from the config. They are always used as
// quoted identifiers, so anything PostgreSQL accepts inside double quotes is allowed, which also
// means names are case-sensitive ("Customers" is not customers).

#include <optional>
#include <string>
#include <string_view>

namespace ks::config {

// PostgreSQL's NAMEDATALEN - 1: longer names would be silently truncated by the server.
inline constexpr std::size_t max_identifier_bytes = 63;

// Why `name` cannot be a quoted identifier, or nullopt when it can.
std::optional<std::string> sql_identifier_problem(std::string_view name);

// `name` as a quoted SQL identifier: "a""b" for a"b. Only valid identifiers may be passed.
std::string quote_identifier(std::string_view name);

// schema.table quoted, e.g. "public"."customers".
std::string quote_qualified(std::string_view schema, std::string_view table);

}  // namespace ks::config
