#pragma once
// A stored field value. Its meaning depends on the field's type:
//   text, email, decimal, money (canonical decimal string), date ("YYYY-MM-DD"),
//   dropdown (option id), relationship to-one (record id)        -> std::string
//   integer, datetime (epoch milliseconds)                       -> std::int64_t
//   checkbox                                                     -> bool
//   dynamictags (option ids), relationship to-many (record ids)  -> std::vector<std::string>
// std::monostate is a blank field.

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace kizen_emulator {

using field_value = std::variant<std::monostate, std::string, std::int64_t, bool, std::vector<std::string>>;

inline bool is_blank(const field_value& v) {
  if (std::holds_alternative<std::monostate>(v)) return true;
  if (const auto* list = std::get_if<std::vector<std::string>>(&v)) return list->empty();
  return false;
}

}  // namespace kizen_emulator
