#include "connectors/postgres/migration.hpp"

#include "connectors/postgres/capture_trigger.hpp"
#include "connectors/postgres/sql_quote.hpp"

namespace ks::pg {
namespace {

void replace_all(std::string& text, std::string_view token, std::string_view with) {
  for (auto pos = text.find(token); pos != std::string::npos; pos = text.find(token, pos + with.size()))
    text.replace(pos, token.size(), with);
}

}  // namespace

std::string render_migration(std::string_view sql, const std::string& schema) {
  const std::string quoted_schema = quote_identifier(schema);
  const std::string channel = quote_literal(notify_channel(schema));

  // A dollar-quoted body ends at the first occurrence of its tag, so the tag must not occur in
  // anything substituted into the body (a schema may contain '$').
  std::string tag = "$ks$";
  for (int n = 1; std::string_view(sql).find(tag) != std::string_view::npos ||
                  quoted_schema.find(tag) != std::string::npos || channel.find(tag) != std::string::npos;
       ++n)
    tag = "$ks" + std::to_string(n) + "$";

  std::string out(sql);
  replace_all(out, "@schema@", quoted_schema);
  replace_all(out, "@channel@", channel);
  replace_all(out, "@body@", tag);
  return out;
}

}  // namespace ks::pg
