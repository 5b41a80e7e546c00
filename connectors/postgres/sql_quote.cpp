#include "connectors/postgres/sql_quote.hpp"

namespace ks::pg {

std::string quote_identifier(std::string_view name) {
  std::string out;
  out.reserve(name.size() + 2);
  out += '"';
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string qualified_name(std::string_view schema, std::string_view name) {
  return quote_identifier(schema) + '.' + quote_identifier(name);
}

std::string quote_literal(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 3);
  out += "E'";
  for (char c : text) {
    if (c == '\\' || c == '\'') out += c;
    out += c;
  }
  out += '\'';
  return out;
}

std::string identifier_problem(std::string_view name) {
  if (name.empty()) return "is empty";
  if (name.size() > 63) return "is longer than 63 bytes (PostgreSQL would truncate it)";
  if (name.find('\0') != std::string_view::npos) return "contains a NUL byte";
  return {};
}

}  // namespace ks::pg
