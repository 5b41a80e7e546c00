#pragma once
// The identity of one synced row on the external side: the Kizen object it maps to and the value
// of its key column, as text. The one key type of the engine and the stores.

#include <compare>
#include <functional>
#include <string>

namespace ks {

struct key_ref {
  std::string object;
  std::string key;

  friend bool operator==(const key_ref&, const key_ref&) = default;
  friend auto operator<=>(const key_ref&, const key_ref&) = default;
  std::string to_string() const { return object + "/" + key; }  // "companies/7", for messages
};

}  // namespace ks

template <>
struct std::hash<ks::key_ref> {
  std::size_t operator()(const ks::key_ref& k) const noexcept {
    const std::size_t a = std::hash<std::string>{}(k.object);
    return a ^ (std::hash<std::string>{}(k.key) + 0x9e3779b97f4a7c15ULL + (a << 6) + (a >> 2));
  }
};
