#pragma once
// Records as the API returns them (EntityRecordDetail / EntityRecordList / UpsertRecordResponse)
// and as /__emulator/state dumps them.

#include <boost/json/object.hpp>
#include <vector>

#include "schema.hpp"
#include "store.hpp"

namespace kizen_emulator {

// Which fields a response carries: all, or those flagged.
struct field_selection {
  bool all = true;
  std::vector<bool> include;  // by field index, when !all

  static field_selection everything() { return {}; }
  static field_selection none(const object_def& object) {
    return {false, std::vector<bool>(object.fields.size(), false)};
  }
  static field_selection defaults(const object_def& object);
  bool wants(std::size_t index) const { return all || (index < include.size() && include[index]); }
};

enum class record_shape { detail, list };

boost::json::object render_record(const store& s, const record& r, const field_selection& selection,
                                  record_shape shape);

// {"id", "archived", "created", "updated", "name", "fields": {api name: plain value}}
boost::json::object render_state_record(const store& s, const record& r);

}  // namespace kizen_emulator
