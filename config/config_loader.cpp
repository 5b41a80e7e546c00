#include "config/config_loader.hpp"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/parser.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
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

// yaml-cpp 0.7's LoadAll never returns on a document that starts with a token it cannot place
// (a stray ',' is enough): it does not consume the token and allocates an empty document per
// round until memory runs out. So the documents are counted here with its event parser, bounded,
// and a document that starts where the previous one did is a syntax error at that place.
struct document_scan {
  int documents = 0;
  YAML::Mark second_start;
  std::optional<YAML::Mark> stuck_at;
};

class document_counter : public YAML::EventHandler {
 public:
  std::vector<YAML::Mark> starts;
  void OnDocumentStart(const YAML::Mark& mark) override { starts.push_back(mark); }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

document_scan scan_documents(const std::string& text) {  // throws YAML::Exception on syntax errors
  std::istringstream in(text);
  YAML::Parser parser(in);
  document_counter counter;
  document_scan scan;
  while (scan.documents < 2 && parser.HandleNextDocument(counter)) {
    ++scan.documents;
    const auto& starts = counter.starts;
    if (starts.size() >= 2 && starts[starts.size() - 1].pos == starts[starts.size() - 2].pos) {
      scan.stuck_at = starts.back();
      return scan;
    }
    if (scan.documents == 2) scan.second_start = starts.back();
  }
  return scan;
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

ks::result<config, std::vector<problem>> load_config_text(std::string_view yaml, const std::string& file_name,
                                                          const env_lookup& env, std::vector<problem>* warnings) {
  if (warnings) warnings->clear();
  const std::string text(yaml);
  YAML::Node root;
  try {
    const auto scan = scan_documents(text);
    if (scan.stuck_at) return single(place(file_name, *scan.stuck_at), "YAML syntax error: unexpected character");
    if (scan.documents > 1)
      return single(place(file_name, scan.second_start),
                    "the file holds more than one YAML document ('---'); put the whole "
                    "configuration in one");
    if (scan.documents == 1) root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return single(place(file_name, e.mark), "YAML syntax error: " + e.msg);
  }
  if (!root.IsDefined() || root.IsNull()) {
    return single({file_name, 0, 0}, "the config file is empty; see config/examples/full.yaml for every key");
  }

  std::vector<problem> problems;
  source_map locations(file_name);
  config c;
  try {
    yaml_reader reader(env, problems, locations);
    c = read_config(root, reader, std::filesystem::path(file_name).parent_path().string());
  } catch (const YAML::Exception& e) {
    // Reading only walks a parsed tree; this is a defect, but bad input must not crash.
    problems.push_back({place(file_name, e.mark), "cannot read the YAML tree: " + e.msg, severity::error});
    return ks::fail(std::move(problems));
  }
  c.source_file = file_name;
  validate_config(c, locations, problems);

  std::stable_sort(problems.begin(), problems.end(), [](const problem& a, const problem& b) {
    return std::pair(a.where.line, a.where.column) < std::pair(b.where.line, b.where.column);
  });
  const bool failed =
      std::any_of(problems.begin(), problems.end(), [](const problem& p) { return p.level == severity::error; });
  if (failed) return ks::fail(std::move(problems));
  if (warnings) *warnings = std::move(problems);
  return c;
}

ks::result<config, std::vector<problem>> load_config_file(const std::string& path, const env_lookup& env,
                                                          std::vector<problem>* warnings) {
  if (warnings) warnings->clear();
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return single({path, 0, 0}, "cannot read the config file: it is a directory");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return single({path, 0, 0}, std::string("cannot read the config file: ") + std::strerror(errno));
  }
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) return single({path, 0, 0}, "cannot read the config file: read error");
  return load_config_text(content.str(), path, env, warnings);
}

}  // namespace ks::config
