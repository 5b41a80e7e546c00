#pragma once
// Where each value of the config came from, by path ("kizen.retry.max_attempts",
// "objects[1].fields[0].column"), so checks that run after parsing can still name the place.

#include <map>
#include <string>
#include <string_view>

#include "config/config.hpp"

namespace ks::config {

class source_map {
 public:
  explicit source_map(std::string file) : file_(std::move(file)) {}

  void add(std::string path, int line, int column);
  bool contains(std::string_view path) const;
  // The place of `path`, else of its nearest recorded parent, else line 0.
  source_location find(std::string_view path) const;
  const std::string& file() const { return file_; }

 private:
  std::string file_;
  std::map<std::string, std::pair<int, int>, std::less<>> at_;
};

// "objects[2]", "objects[2].fields[0]" ...
std::string object_path(std::size_t object_index);
std::string field_path(std::size_t object_index, std::size_t field_index);

}  // namespace ks::config
