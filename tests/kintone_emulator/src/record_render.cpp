#include "record_render.hpp"

#include <boost/json.hpp>

#include "time_format.hpp"
#include "value_codec.hpp"

namespace kintone_emulator {

namespace json = boost::json;

json::value read_value(const field_def& f, const stored_record& r) {
  switch (f.type) {
    case field_type::id:
    case field_type::record_number: return json::string(std::to_string(r.id));
    case field_type::revision: return json::string(std::to_string(r.revision));
    case field_type::creator: return r.creator.to_json();
    case field_type::modifier: return r.modifier.to_json();
    case field_type::created_time: return json::string(format_datetime(r.created_ms));
    case field_type::updated_time: return json::string(format_datetime(r.updated_ms));
    default: {
      const auto* v = r.values.if_contains(f.code);
      return v ? *v : blank_value(f);
    }
  }
}

json::object render_record(const app_def& app, const stored_record& r, const std::vector<std::string>& selection) {
  json::object out;
  for (const auto& f : app.fields) {
    if (!selection.empty()) {
      bool wanted = false;
      for (const auto& s : selection) wanted |= s == f.code;
      if (!wanted) continue;
    }
    out[f.code] = json::object{{"type", type_name(f.type)}, {"value", read_value(f, r)}};
  }
  return out;
}

}  // namespace kintone_emulator
