#pragma once
// Names of enum values for messages, logs and storage, from one table per enum whose order is the
// enum's (values 0, 1, 2, ...), instead of a switch each way.
//
//   const char* to_string(op o) { return enum_name(o, op_names); }
//   std::optional<op> op_from(std::string_view t) { return enum_from<op>(t, op_names); }

#include <cstddef>
#include <optional>
#include <string_view>

namespace ks {

template <class E, std::size_t N>
const char* enum_name(E value, const char* const (&names)[N], const char* unknown = "unknown") {
  const auto i = static_cast<std::size_t>(value);
  return i < N ? names[i] : unknown;
}

template <class E, std::size_t N>
std::optional<E> enum_from(std::string_view text, const char* const (&names)[N]) {
  for (std::size_t i = 0; i < N; ++i)
    if (text == names[i]) return static_cast<E>(i);
  return std::nullopt;
}

}  // namespace ks
