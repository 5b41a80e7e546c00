#include "config/yaml_reader.hpp"

#include <charconv>
#include <cmath>
#include <map>

#include "config/duration_text.hpp"
#include "config/env_expansion.hpp"
#include "config/key_suggestion.hpp"

namespace ks::config {

namespace {

std::string display(const std::string& path) { return path.empty() ? "the top level" : path; }

}  // namespace

const char* node_kind(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: return "a mapping";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Scalar: return "a single value";
    case YAML::NodeType::Null: return "nothing";
    case YAML::NodeType::Undefined: break;
  }
  return "nothing";
}

std::string yaml_reader::join_path(const std::string& path, std::string_view key) {
  if (path.empty()) return std::string(key);
  return path + "." + std::string(key);
}

std::string yaml_reader::shown(const scalar& s) {
  if (s.from_environment) return "the value from the environment";
  std::string t = s.text.size() > 80 ? s.text.substr(0, 80) + "..." : s.text;
  for (char& c : t) {
    if (static_cast<unsigned char>(c) < 0x20) c = '?';  // keep messages on one line
  }
  return "'" + t + "'";
}

source_location yaml_reader::at(const YAML::Node& node) const {
  const YAML::Mark m = node.IsDefined() ? node.Mark() : YAML::Mark::null_mark();
  if (m.is_null()) return {locations_.file(), 0, 0};
  return {locations_.file(), m.line + 1, m.column + 1};
}

void yaml_reader::error(const YAML::Node& node, std::string message) { error(at(node), std::move(message)); }

void yaml_reader::error(const source_location& where, std::string message) {
  problems_.push_back({where, std::move(message), severity::error});
}

void yaml_reader::warning(const source_location& where, std::string message) {
  problems_.push_back({where, std::move(message), severity::warning});
}

bool yaml_reader::expect_map(const YAML::Node& node, std::string_view what) {
  const source_location where = at(node);
  if (!what.empty()) locations_.add(std::string(what), where.line, where.column);
  if (node.IsMap()) return true;
  error(where, display(std::string(what)) + " must be a mapping (key: value lines), got " + node_kind(node));
  return false;
}

bool yaml_reader::expect_sequence(const YAML::Node& node, std::string_view what) {
  if (node.IsSequence()) return true;
  error(node, std::string(what) + " must be a list (lines starting with '- '), got " + node_kind(node));
  return false;
}

void yaml_reader::check_keys(const YAML::Node& map, const std::string& path,
                             const std::vector<std::string_view>& known) {
  std::map<std::string, source_location, std::less<>> seen;
  for (auto it = map.begin(); it != map.end(); ++it) {
    const YAML::Node key = it->first;
    const YAML::Node value = it->second;
    if (!key.IsScalar()) {
      error(key, "keys in " + display(path) + " must be plain names, got " + node_kind(key));
      continue;
    }
    const std::string name = key.Scalar();
    const source_location where = at(key);
    if (auto [pos, inserted] = seen.emplace(name, where); !inserted) {
      error(where, "duplicate key '" + name + "' in " + display(path) + " (first at line " +
                       std::to_string(pos->second.line) + ")");
      continue;
    }
    bool is_known = false;
    for (std::string_view k : known) is_known = is_known || k == name;
    if (!is_known) {
      std::string msg = "unknown key '" + name + "' in " + display(path);
      if (auto best = closest_match(name, known)) msg += " (did you mean '" + *best + "'?)";
      error(where, std::move(msg));
      continue;
    }
    const source_location value_at = value.IsNull() ? where : at(value);
    locations_.add(join_path(path, name), value_at.line, value_at.column);
  }
}

YAML::Node yaml_reader::child(const YAML::Node& map, std::string_view key) const {
  if (!map.IsMap()) return YAML::Node(YAML::NodeType::Undefined);
  for (auto it = map.begin(); it != map.end(); ++it) {
    if (it->first.IsScalar() && it->first.Scalar() == key) return it->second;
  }
  return YAML::Node(YAML::NodeType::Undefined);
}

YAML::Node yaml_reader::key_node(const YAML::Node& map, std::string_view key) const {
  if (!map.IsMap()) return YAML::Node(YAML::NodeType::Undefined);
  for (auto it = map.begin(); it != map.end(); ++it) {
    if (it->first.IsScalar() && it->first.Scalar() == key) return it->first;
  }
  return YAML::Node(YAML::NodeType::Undefined);
}

bool yaml_reader::has(const YAML::Node& map, std::string_view key) const {
  const YAML::Node n = child(map, key);
  return n.IsDefined() && !n.IsNull();
}

std::optional<scalar> yaml_reader::read_scalar(const YAML::Node& map, std::string_view key, const std::string& path,
                                               bool required) {
  const YAML::Node node = child(map, key);
  const std::string full = join_path(path, key);
  if (!node.IsDefined()) {
    if (required) {
      error(map, "missing required key '" + std::string(key) + "' in " + display(path));
    }
    return std::nullopt;
  }
  if (node.IsNull()) {
    if (required) error(key_node(map, key), full + " has no value");
    return std::nullopt;
  }
  if (!node.IsScalar()) {
    error(node, full + " must be a single value, got " + node_kind(node));
    return std::nullopt;
  }
  auto expanded = expand_environment(node.Scalar(), env_);
  if (!expanded) {
    error(node, full + ": " + expanded.error());
    return std::nullopt;
  }
  return scalar{std::move(expanded->text), expanded->from_environment, node};
}

std::optional<scalar> yaml_reader::read_text(const YAML::Node& map, std::string_view key, const std::string& path,
                                             bool required) {
  auto s = read_scalar(map, key, path, required);
  if (!s) return std::nullopt;
  if (s->text.empty()) {
    error(s->node,
          join_path(path, key) + " is empty" +
              (s->from_environment || s->node.Scalar() != s->text ? " after expanding environment variables" : ""));
    return std::nullopt;
  }
  return s;
}

std::optional<long long> yaml_reader::read_int(const YAML::Node& map, std::string_view key, const std::string& path,
                                               long long min, long long max) {
  auto s = read_scalar(map, key, path, false);
  if (!s) return std::nullopt;
  const std::string full = join_path(path, key);
  long long v = 0;
  const char* b = s->text.data();
  const char* e = b + s->text.size();
  auto [p, ec] = std::from_chars(b, e, v);
  if (ec == std::errc::result_out_of_range && p == e) {
    error(s->node, full + " must be between " + std::to_string(min) + " and " + std::to_string(max) + " (got " +
                       shown(*s) + ")");
    return std::nullopt;
  }
  if (ec != std::errc() || p != e || s->text.empty()) {
    error(s->node, full + " must be a whole number, got " + shown(*s));
    return std::nullopt;
  }
  if (v < min || v > max) {
    error(s->node, full + " must be between " + std::to_string(min) + " and " + std::to_string(max) + " (got " +
                       (s->from_environment ? shown(*s) : std::to_string(v)) + ")");
    return std::nullopt;
  }
  return v;
}

std::optional<double> yaml_reader::read_positive_number(const YAML::Node& map, std::string_view key,
                                                        const std::string& path) {
  auto s = read_scalar(map, key, path, false);
  if (!s) return std::nullopt;
  const std::string full = join_path(path, key);
  double v = 0;
  const char* b = s->text.data();
  const char* e = b + s->text.size();
  auto [p, ec] = std::from_chars(b, e, v);
  if (ec != std::errc() || p != e || !std::isfinite(v)) {
    error(s->node, full + " must be a number, got " + shown(*s));
    return std::nullopt;
  }
  if (!(v > 0)) {
    error(s->node, full + " must be greater than 0 (got " + shown(*s) + ")");
    return std::nullopt;
  }
  return v;
}

std::optional<bool> yaml_reader::read_bool(const YAML::Node& map, std::string_view key, const std::string& path) {
  auto s = read_scalar(map, key, path, false);
  if (!s) return std::nullopt;
  // YAML 1.2 core schema spellings only: "yes"/"on" are too easy to misread.
  if (s->text == "true" || s->text == "True" || s->text == "TRUE") return true;
  if (s->text == "false" || s->text == "False" || s->text == "FALSE") return false;
  error(s->node, join_path(path, key) + " must be true or false, got " + shown(*s));
  return std::nullopt;
}

std::optional<duration> yaml_reader::read_duration(const YAML::Node& map, std::string_view key, const std::string& path,
                                                   bool allow_zero) {
  auto s = read_scalar(map, key, path, false);
  if (!s) return std::nullopt;
  const std::string full = join_path(path, key);
  auto d = parse_duration_text(s->text);
  if (!d) {
    error(s->node, full + ": duration " + shown(*s) + " " + d.error());
    return std::nullopt;
  }
  if (!allow_zero && d->count() == 0) {
    error(s->node, full + " must be greater than 0 (got " + shown(*s) + ")");
    return std::nullopt;
  }
  return *d;
}

std::string yaml_reader::bad_enum_message(const std::string& path, const scalar& s,
                                          const std::vector<std::string_view>& names) {
  std::string list;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) list += i + 1 == names.size() ? " or " : ", ";
    list += names[i];
  }
  std::string msg = path + " must be " + list + ", got " + shown(s);
  if (!s.from_environment) {
    if (auto best = closest_match(s.text, names)) msg += " (did you mean '" + *best + "'?)";
  }
  return msg;
}

}  // namespace ks::config
