#include "config/config_loader.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "config/config_reader.hpp"
#include "config/config_validator.hpp"
#include "config/source_map.hpp"
#include "config/yaml_reader.hpp"

namespace ks::config {

namespace {

source_location place(const std::string& file, const YAML::Mark& mark) {
  if (mark.is_null()) return {file, 0, 0};
  return {file, mark.line + 1, mark.column + 1};
}

ks::failure<std::vector<problem>> single(source_location where, std::string message) {
  return ks::fail(std::vector<problem>{{std::move(where), std::move(message), severity::error}});
}

}  // namespace

std::string problem::to_string() const {
  std::string out = where.file;
  if (where.line > 0) {
    out += ":" + std::to_string(where.line);
    if (where.column > 0) out += ":" + std::to_string(where.column);
  }
  out += level == severity::error ? ": error: " : ": warning: ";
  out += message;
  return out;
}

ks::result<config, std::vector<problem>> load_config_text(std::string_view yaml,
                                                          const std::string& file_name,
                                                          const env_lookup& env,
                                                          std::vector<problem>* warnings) {
  if (warnings) warnings->clear();
  std::vector<YAML::Node> documents;
  try {
    documents = YAML::LoadAll(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return single(place(file_name, e.mark), "YAML syntax error: " + e.msg);
  }
  if (documents.empty() || (documents.size() == 1 && documents[0].IsNull())) {
    return single({file_name, 0, 0},
                  "the config file is empty; see config/examples/full.yaml for every key");
  }
  if (documents.size() > 1) {
    return single(place(file_name, documents[1].Mark()),
                  "the file holds more than one YAML document ('---'); put the whole "
                  "configuration in one");
  }

  std::vector<problem> problems;
  source_map locations(file_name);
  config c;
  try {
    yaml_reader reader(env, problems, locations);
    c = read_config(documents[0], reader,
                    std::filesystem::path(file_name).parent_path().string());
  } catch (const YAML::Exception& e) {
    // Reading only walks a parsed tree; this is a defect, but bad input must not crash.
    problems.push_back({place(file_name, e.mark), "cannot read the YAML tree: " + e.msg,
                        severity::error});
    return ks::fail(std::move(problems));
  }
  c.source_file = file_name;
  validate_config(c, locations, problems);

  std::stable_sort(problems.begin(), problems.end(), [](const problem& a, const problem& b) {
    return std::pair(a.where.line, a.where.column) < std::pair(b.where.line, b.where.column);
  });
  const bool failed = std::any_of(problems.begin(), problems.end(),
                                  [](const problem& p) { return p.level == severity::error; });
  if (failed) return ks::fail(std::move(problems));
  if (warnings) *warnings = std::move(problems);
  return c;
}

ks::result<config, std::vector<problem>> load_config_file(const std::string& path,
                                                          const env_lookup& env,
                                                          std::vector<problem>* warnings) {
  if (warnings) warnings->clear();
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return single({path, 0, 0}, "cannot read the config file: it is a directory");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return single({path, 0, 0},
                  std::string("cannot read the config file: ") + std::strerror(errno));
  }
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) return single({path, 0, 0}, "cannot read the config file: read error");
  return load_config_text(content.str(), path, env, warnings);
}

}  // namespace ks::config
