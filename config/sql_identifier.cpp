#include "config/sql_identifier.hpp"

namespace ks::config {

namespace {

// PostgreSQL rejects names that are not valid in the database encoding (UTF-8 here).
bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = 0;
    unsigned min = 0;
    if (c < 0x80) {
      ++i;
      continue;
    }
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      min = 0x10000;
    } else
      return false;
    if (i + len > s.size()) return false;
    unsigned cp = c & (0x7F >> len);
    for (std::size_t k = 1; k < len; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += len;
  }
  return true;
}

}  // namespace

std::optional<std::string> sql_identifier_problem(std::string_view name) {
  if (name.empty()) return std::string("is empty");
  if (name.find('\0') != std::string_view::npos) {
    return std::string("contains a NUL character");
  }
  if (!valid_utf8(name)) return std::string("is not valid UTF-8");
  if (name.size() > max_identifier_bytes) {
    return "is " + std::to_string(name.size()) + " bytes long; PostgreSQL allows at most " +
           std::to_string(max_identifier_bytes);
  }
  return std::nullopt;
}

std::string quote_identifier(std::string_view name) {
  std::string out;
  out.reserve(name.size() + 2);
  out.push_back('"');
  for (char c : name) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::string quote_qualified(std::string_view schema, std::string_view table) {
  return quote_identifier(schema) + "." + quote_identifier(table);
}

}  // namespace ks::config
