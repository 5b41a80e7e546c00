#include "config/config.hpp"

#include "common/enum_names.hpp"

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

namespace {

// In the order of the enums' values.
constexpr const char* direction_names[] = {"both", "to_kizen", "from_kizen"};
constexpr const char* conflict_names[] = {"newest_wins", "database_wins", "kizen_wins"};
constexpr const char* archive_names[] = {"delete", "ignore"};

}  // namespace

const char* to_string(sync_direction d) { return enum_name(d, direction_names); }
const char* to_string(conflict_policy p) { return enum_name(p, conflict_names); }
const char* to_string(archive_policy p) { return enum_name(p, archive_names); }

}  // namespace ks::config
