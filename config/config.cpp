#include "config/config.hpp"

namespace ks::config {

const field_mapping* object_mapping::field_for_column(const std::string& column) const {
  for (const field_mapping& f : fields) {
    if (f.column == column) return &f;
  }
  return nullptr;
}

const field_mapping* object_mapping::field_for_kizen_field(const std::string& field) const {
  for (const field_mapping& f : fields) {
    if (f.field == field) return &f;
  }
  return nullptr;
}

const object_mapping* config::find_object(const std::string& object) const {
  for (const object_mapping& o : objects) {
    if (o.object == object) return &o;
  }
  return nullptr;
}

const char* to_string(sync_direction d) {
  switch (d) {
    case sync_direction::both: return "both";
    case sync_direction::to_kizen: return "to_kizen";
    case sync_direction::from_kizen: return "from_kizen";
  }
  return "unknown";
}

const char* to_string(conflict_policy p) {
  switch (p) {
    case conflict_policy::newest_wins: return "newest_wins";
    case conflict_policy::database_wins: return "database_wins";
    case conflict_policy::kizen_wins: return "kizen_wins";
  }
  return "unknown";
}

const char* to_string(archive_policy p) {
  switch (p) {
    case archive_policy::delete_row: return "delete";
    case archive_policy::ignore: return "ignore";
  }
  return "unknown";
}

}  // namespace ks::config
