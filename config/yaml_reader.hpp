#pragma once
// Typed, located access to a parsed YAML tree. Every accessor reports what is wrong with the
// node it reads (wrong type, bad value, missing, unset variable) into the shared problem list
// and records where each value came from, so parsing goes on and all problems are found.

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/config_loader.hpp"
#include "config/source_map.hpp"

namespace ks::config {

// A scalar after ${VAR} expansion.
struct scalar {
  std::string text;
  bool from_environment = false;  // never show `text` in a message when set
  YAML::Node node;
};

class yaml_reader {
 public:
  yaml_reader(const env_lookup& env, std::vector<problem>& problems, source_map& locations)
      : env_(env), problems_(problems), locations_(locations) {}

  source_location at(const YAML::Node& node) const;
  void error(const YAML::Node& node, std::string message);
  void error(const source_location& where, std::string message);
  void warning(const source_location& where, std::string message);

  // Reports the node when it is not a mapping / sequence; `what` names it ("kizen", "objects[0]").
  bool expect_map(const YAML::Node& node, std::string_view what);
  bool expect_sequence(const YAML::Node& node, std::string_view what);

  // Reports unknown keys (with the closest known one), duplicate keys and non-scalar keys of the
  // mapping at `path` ("" for the root), and records the place of every known value.
  void check_keys(const YAML::Node& map, const std::string& path, const std::vector<std::string_view>& known);

  // The value of `key` (first occurrence), or an undefined node.
  YAML::Node child(const YAML::Node& map, std::string_view key) const;
  // The key node of `key`, or an undefined node.
  YAML::Node key_node(const YAML::Node& map, std::string_view key) const;
  // True when `key` is present with a non-null value.
  bool has(const YAML::Node& map, std::string_view key) const;

  // A scalar value, expanded. nullopt when absent or null (an error when `required`) or when it
  // is broken (already reported).
  std::optional<scalar> read_scalar(const YAML::Node& map, std::string_view key, const std::string& path,
                                    bool required);
  // Like read_scalar, and a non-empty string after expansion.
  std::optional<scalar> read_text(const YAML::Node& map, std::string_view key, const std::string& path, bool required);
  std::optional<long long> read_int(const YAML::Node& map, std::string_view key, const std::string& path, long long min,
                                    long long max);
  std::optional<double> read_positive_number(const YAML::Node& map, std::string_view key, const std::string& path);
  std::optional<bool> read_bool(const YAML::Node& map, std::string_view key, const std::string& path);
  std::optional<duration> read_duration(const YAML::Node& map, std::string_view key, const std::string& path,
                                        bool allow_zero);
  // One of `allowed` (YAML spelling, value).
  template <class E>
  std::optional<E> read_enum(const YAML::Node& map, std::string_view key, const std::string& path,
                             const std::vector<std::pair<std::string_view, E>>& allowed) {
    auto s = read_scalar(map, key, path, false);
    if (!s) return std::nullopt;
    for (const auto& [name, value] : allowed) {
      if (s->text == name) return value;
    }
    std::vector<std::string_view> names;
    for (const auto& a : allowed) names.push_back(a.first);
    error(s->node, bad_enum_message(join_path(path, key), *s, names));
    return std::nullopt;
  }

  // "'15x'" for literal values, "the value from the environment" otherwise.
  static std::string shown(const scalar& s);
  static std::string join_path(const std::string& path, std::string_view key);

 private:
  static std::string bad_enum_message(const std::string& path, const scalar& s,
                                      const std::vector<std::string_view>& names);

  const env_lookup& env_;
  std::vector<problem>& problems_;
  source_map& locations_;
};

// "a mapping", "a list", "a value", "nothing".
const char* node_kind(const YAML::Node& node);

}  // namespace ks::config
