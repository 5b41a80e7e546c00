#pragma once
// Helpers for the config tests: a map-backed environment, loading from text, and assertions
// on problems (exact place and recognisable message).

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "config/config_loader.hpp"

namespace ks::config::test {

inline env_lookup env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    if (auto it = vars.find(name); it != vars.end()) return it->second;
    return std::nullopt;
  };
}

inline ks::result<config, std::vector<problem>> load(std::string_view yaml, const env_lookup& env = env_of({}),
                                                     std::vector<problem>* warnings = nullptr) {
  return load_config_text(yaml, "test.yaml", env, warnings);
}

inline std::string describe(const std::vector<problem>& problems) {
  std::string out;
  for (const problem& p : problems) out += "\n  " + p.to_string();
  return out.empty() ? "\n  (none)" : out;
}

inline std::vector<problem> of_level(const std::vector<problem>& problems, severity level) {
  std::vector<problem> out;
  std::copy_if(problems.begin(), problems.end(), std::back_inserter(out),
               [&](const problem& p) { return p.level == level; });
  return out;
}

// The load failed with exactly one error, at line:col, whose message contains `text`.
inline ::testing::AssertionResult one_error_at(const ks::result<config, std::vector<problem>>& r, int line, int column,
                                               std::string_view text) {
  if (r) return ::testing::AssertionFailure() << "loaded without errors";
  const auto errors = of_level(r.error(), severity::error);
  if (errors.size() != 1) {
    return ::testing::AssertionFailure() << "expected one error, got" << describe(r.error());
  }
  const problem& p = errors.front();
  if (p.where.file != "test.yaml" || p.where.line != line || p.where.column != column ||
      p.message.find(text) == std::string::npos) {
    return ::testing::AssertionFailure() << "expected test.yaml:" << line << ":" << column << " containing \"" << text
                                         << "\", got" << describe(r.error());
  }
  return ::testing::AssertionSuccess();
}

// Lines 1-7: a valid kizen and postgres section.
inline constexpr std::string_view kizen_lines =
    "kizen:\n"                                 // 1
    "  base_url: https://kizen.example.com\n"  // 2
    "  api_key: k\n"                           // 3
    "  business_id: b\n"                       // 4
    "  user_id: u\n";                          // 5
inline constexpr std::string_view postgres_lines =
    "postgres:\n"                        // 6
    "  url: postgres://localhost/db\n";  // 7
// One valid object, 8 lines.
inline constexpr std::string_view object_lines =
    "objects:\n"                              // 8
    "  - object: companies\n"                 // 9
    "    table: companies\n"                  // 10
    "    key: id\n"                           // 11
    "    entity_id_column: kizen_id\n"        // 12
    "    lookup: name\n"                      // 13
    "    fields:\n"                           // 14
    "      - {column: name, field: name}\n";  // 15

// A valid file with `extra` appended to the kizen section (its first line is line 6).
inline std::string with_kizen(std::string_view extra) {
  return std::string(kizen_lines) + std::string(extra) + std::string(postgres_lines) + std::string(object_lines);
}
// A valid file whose objects section is `objects` (its first line is line 8).
inline std::string with_objects(std::string_view objects) {
  return std::string(kizen_lines) + std::string(postgres_lines) + std::string(objects);
}
// A valid file followed by `tail` (its first line is line 16).
inline std::string with_tail(std::string_view tail) {
  return std::string(kizen_lines) + std::string(postgres_lines) + std::string(object_lines) + std::string(tail);
}

// A fresh directory, removed with everything in it.
class temp_dir {
 public:
  temp_dir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() / ("ks-config-test-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;

  std::string write(const std::string& name, std::string_view content) const {
    const auto p = path_ / name;
    std::ofstream(p, std::ios::binary) << content;
    return p.string();
  }
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace ks::config::test
