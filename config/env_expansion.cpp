#include "config/env_expansion.hpp"

#include <cstdlib>

namespace ks::config {

namespace {

bool valid_variable_name(std::string_view name) {
  if (name.empty()) return false;
  auto alpha = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; };
  if (!alpha(name.front())) return false;
  for (char c : name) {
    if (!alpha(c) && !(c >= '0' && c <= '9')) return false;
  }
  return true;
}

}  // namespace

env_lookup process_environment() {
  return [](const std::string& name) -> std::optional<std::string> {
    // getenv is only racy against setenv; the loader runs before any thread could call that.
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

ks::result<expanded_text, std::string> expand_environment(std::string_view text, const env_lookup& env) {
  expanded_text out;
  out.text.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c != '$') {
      out.text.push_back(c);
      ++i;
      continue;
    }
    if (i + 1 < text.size() && text[i + 1] == '$') {
      out.text.push_back('$');
      i += 2;
      continue;
    }
    if (i + 1 >= text.size() || text[i + 1] != '{') {
      return ks::fail(
          std::string("'$' must start a variable reference ${NAME} or be doubled ('$$') for a literal '$'"));
    }
    const std::size_t close = text.find('}', i + 2);
    if (close == std::string_view::npos) {
      return ks::fail(std::string("'${' without a closing '}'"));
    }
    const std::string_view inner = text.substr(i + 2, close - (i + 2));
    const std::size_t sep = inner.find(":-");
    const std::string_view name = sep == std::string_view::npos ? inner : inner.substr(0, sep);
    if (!valid_variable_name(name)) {
      return ks::fail("invalid variable reference '${" + std::string(inner.substr(0, 64)) +
                      "}': write ${NAME} or ${NAME:-default}, NAME made of letters, digits and _");
    }
    const std::string name_s(name);
    const std::optional<std::string> value = env ? env(name_s) : std::nullopt;
    if (sep != std::string_view::npos) {
      if (value && !value->empty()) {
        out.text += *value;
        out.from_environment = true;
      } else {
        out.text += inner.substr(sep + 2);
      }
    } else {
      if (!value) {
        return ks::fail("environment variable " + name_s + " is not set (write ${" + name_s +
                        ":-default} to give a default)");
      }
      out.text += *value;
      out.from_environment = true;
    }
    i = close + 1;
  }
  return out;
}

}  // namespace ks::config
