#include "route.hpp"

namespace kizen_emulator {

route match_route(const std::vector<std::string>& s) {
  route r;
  const auto n = s.size();
  if (n < 2 || s[0] != "api") return r;
  if (s[1] == "custom-objects") {
    if (n == 2) {
      r.ep = endpoint::objects;
      r.path_template = "/api/custom-objects";
      r.methods = {"GET"};
    } else if (n == 5 && s[3] == "fields" && s[4] == "settings-search") {
      r.ep = endpoint::object_fields;
      r.path_template = "/api/custom-objects/{object_id}/fields/settings-search";
      r.object = s[2];
      r.methods = {"GET"};
    }
    return r;
  }
  if (s[1] != "records" || n < 4) return r;
  if (n == 5 && s[3] == "field-values") {
    r.ep = endpoint::field_values;
    r.path_template = "/api/records/{entity_id}/field-values/{field_id}";
    r.entity = s[2];
    r.field = s[4];
    r.methods = {"GET"};
    return r;
  }
  r.object = s[2];
  if (n == 4) {
    if (s[3] == "add") {
      r.ep = endpoint::add;
      r.path_template = "/api/records/{object_identifier}/add";
      r.methods = {"POST"};
    } else if (s[3] == "lookup") {
      r.ep = endpoint::lookup;
      r.path_template = "/api/records/{object_identifier}/lookup";
      r.methods = {"GET"};
    } else if (s[3] == "search") {
      r.ep = endpoint::search;
      r.path_template = "/api/records/{object_identifier}/search";
      r.methods = {"POST"};
    } else if (s[3] == "upsert") {
      r.ep = endpoint::upsert;
      r.path_template = "/api/records/{object_identifier}/upsert";
      r.methods = {"POST"};
    } else {
      r.ep = endpoint::record;
      r.path_template = "/api/records/{object_identifier}/{entity_id}";
      r.entity = s[3];
      r.methods = {"GET", "PUT", "PATCH", "DELETE"};
    }
    return r;
  }
  if (n == 5 && s[4] == "unarchive") {
    r.ep = endpoint::unarchive;
    r.path_template = "/api/records/{object_identifier}/{entity_id}/unarchive";
    r.entity = s[3];
    r.methods = {"PATCH"};
  }
  return r;
}

}  // namespace kizen_emulator
