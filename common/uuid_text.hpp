#pragma once
// UUIDs as text: Kizen record and field ids, PostgreSQL uuid columns. Checked before they reach
// SQL or a URL (a malformed one would abort a transaction instead of giving a clear error), and
// compared in one form.

#include <cctype>
#include <string>
#include <string_view>

namespace ks {

// 8-4-4-4-12 hexadecimal digits, either case.
inline bool is_uuid(std::string_view text) {
  if (text.size() != 36) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? text[i] != '-' : !std::isxdigit(static_cast<unsigned char>(text[i]))) return false;
  }
  return true;
}

// Lower-case form (PostgreSQL prints uuids lower-case; comparisons need one form).
inline std::string normalize_uuid(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace ks
