#pragma once
// The YAML tree -> config structs: structure, types, defaults and the rules that concern one
// value at a time (ranges, enums, durations, URLs, identifiers, secrets). Rules that relate
// several values (duplicates, references, collisions, warnings) are config_validator's.

#include <yaml-cpp/yaml.h>

#include <string>

#include "config/config.hpp"
#include "config/yaml_reader.hpp"

namespace ks::config {

// Reads what it can; every problem goes to `reader`. `base_dir` resolves relative file paths.
config read_config(const YAML::Node& root, yaml_reader& reader, const std::string& base_dir);

}  // namespace ks::config
