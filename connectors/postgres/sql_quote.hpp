#pragma once
// Quoting for the few places where names must be spliced into SQL text (DDL, trigger arguments,
// the schema of the sync tables). Values always travel as statement parameters instead.
// Pure functions, so the rules are unit-tested without a server.

#include <string>
#include <string_view>

namespace ks::pg {

// "name" with embedded double quotes doubled: always a quoted identifier, so case, spaces and
// keywords survive exactly as configured.
std::string quote_identifier(std::string_view name);

// "schema"."name"
std::string qualified_name(std::string_view schema, std::string_view name);

// E'text' with backslashes and single quotes escaped. The E'' form means the same whatever
// standard_conforming_strings says, which matters inside function bodies parsed later.
std::string quote_literal(std::string_view text);

// Whether a name can be used as a PostgreSQL identifier without being truncated or rejected:
// 1..63 bytes (NAMEDATALEN - 1) and no NUL byte. Returns an empty string when it can, otherwise
// the reason ("is empty", "is longer than 63 bytes", ...).
std::string identifier_problem(std::string_view name);

}  // namespace ks::pg
