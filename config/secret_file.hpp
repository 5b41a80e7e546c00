#pragma once
// Files named by the config (kizen.api_key_file, kizen.ca_file): the only reading the loader
// does besides the config file itself.

#include <string>

#include "common/result.hpp"

namespace ks::config {

// `path` as is when absolute or when `base_dir` is empty, else base_dir/path.
std::string resolve_path(const std::string& base_dir, const std::string& path);

// The file's content with surrounding whitespace trimmed (a trailing newline is the norm for
// secret files). Errors say why the file cannot be used and never contain its content.
ks::result<std::string, std::string> read_secret_file(const std::string& path);

// ok when `path` is a regular file that can be opened for reading, else why not.
ks::result<void, std::string> check_readable_file(const std::string& path);

}  // namespace ks::config
