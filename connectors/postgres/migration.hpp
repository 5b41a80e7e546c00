#pragma once
// The numbered SQL files of migrations/, embedded into the binary at build time
// (connectors/postgres/embed_migrations.cmake generates the table), and their rendering for one
// sync schema.

#include <span>
#include <string>
#include <string_view>

namespace ks::pg {

struct migration {
  int version = 0;        // from the file name: 001_sync_schema.sql -> 1
  std::string_view name;  // the file name without ".sql"
  std::string_view sql;   // the file's text, placeholders included
};

// Every migration compiled in, in ascending version order (versions are unique: the build fails
// otherwise).
std::span<const migration> embedded_migrations();

// `sql` for the sync schema `schema`, with its placeholders substituted safely:
//   @schema@  -> the schema as a quoted identifier
//   @channel@ -> notify_channel(schema) as a string literal
//   @body@    -> a dollar-quote tag that occurs nowhere in the rest of the text (function bodies)
// `schema` must be a valid identifier (identifier_problem(schema) empty).
std::string render_migration(std::string_view sql, const std::string& schema);

}  // namespace ks::pg
