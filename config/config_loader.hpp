#pragma once
// Loading and validating the YAML configuration (DESIGN.md "Config") into ks::config::config.
// Every problem found is reported with its place (file:line:col), never only the first, and no
// message ever contains a secret or a value that came from the environment.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "config/config.hpp"

namespace ks::config {

enum class severity { error, warning };

struct problem {
  source_location where;  // file:line:col (1-based) of the offending node; line 0 if unknown
  std::string message;    // e.g. "unknown key 'max_conections' in kizen (did you mean 'max_connections'?)"
  severity level = severity::error;
  std::string to_string() const;  // "file:line:col: error: message"
};

// Looks up an environment variable; the default reads the process environment.
using env_lookup = std::function<std::optional<std::string>(const std::string& name)>;
env_lookup process_environment();

// Loads and validates. On failure: every problem found (not just the first), errors and warnings.
// On success, warnings (if any) are returned through `warnings` when non-null.
// Relative paths in the file (kizen.api_key_file, kizen.ca_file) are resolved against the
// directory of `path` / `file_name`.
ks::result<config, std::vector<problem>> load_config_file(const std::string& path,
                                                          const env_lookup& env = process_environment(),
                                                          std::vector<problem>* warnings = nullptr);
ks::result<config, std::vector<problem>> load_config_text(std::string_view yaml, const std::string& file_name,
                                                          const env_lookup& env = process_environment(),
                                                          std::vector<problem>* warnings = nullptr);

// Durations: "250ms", "15s", "5m", "1h", "7d"; combinations not needed; bare numbers are errors
// (say which unit is missing). nullopt for anything else, including values above 3650d.
std::optional<duration> parse_duration(std::string_view text);

}  // namespace ks::config
