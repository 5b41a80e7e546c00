#include "config/source_map.hpp"

namespace ks::config {

void source_map::add(std::string path, int line, int column) {
  at_.insert_or_assign(std::move(path), std::pair{line, column});
}

bool source_map::contains(std::string_view path) const { return at_.find(path) != at_.end(); }

source_location source_map::find(std::string_view path) const {
  while (true) {
    if (auto it = at_.find(path); it != at_.end()) {
      return {file_, it->second.first, it->second.second};
    }
    const std::size_t cut = path.find_last_of(".[");
    if (cut == std::string_view::npos || cut == 0) return {file_, 0, 0};
    path = path.substr(0, cut);
  }
}

std::string object_path(std::size_t object_index) { return "objects[" + std::to_string(object_index) + "]"; }

std::string field_path(std::size_t object_index, std::size_t field_index) {
  return object_path(object_index) + ".fields[" + std::to_string(field_index) + "]";
}

}  // namespace ks::config
