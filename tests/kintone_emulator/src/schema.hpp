#pragma once
// Apps, their fields and API tokens, and the users of the domain, as loaded from the schema file
// (YAML, docs/kintone-emulator.md "Schema file"). Immutable once loaded.

#include <boost/json/value.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace kintone_emulator {

enum class field_type {
  single_line_text,
  multi_line_text,
  number,
  check_box,
  multi_select,
  radio_button,
  drop_down,
  date,
  datetime,
  link,
  user_select,
  subtable,
  file,
  record_number,
  id,
  revision,
  creator,
  created_time,
  modifier,
  updated_time,
};

std::string_view type_name(field_type t);  // "SINGLE_LINE_TEXT", "__ID__", ...
std::optional<field_type> parse_type_name(std::string_view name);
// System fields are set by the server: RECORD_NUMBER, $id, $revision, CREATOR, CREATED_TIME, ...
bool is_system(field_type t);
// Fields whose value is a list (CHECK_BOX, MULTI_SELECT, USER_SELECT, SUBTABLE, FILE).
bool is_multi_valued(field_type t);

struct field_def {
  std::string code;
  std::string label;
  field_type type = field_type::single_line_text;
  bool required = false;
  bool unique = false;                              // SINGLE_LINE_TEXT, NUMBER, LINK only
  std::vector<std::string> options;                 // CHECK_BOX, MULTI_SELECT, RADIO_BUTTON, DROP_DOWN
  std::optional<boost::json::value> default_value;  // as written, applied on add when absent
  std::vector<field_def> fields;                    // SUBTABLE columns

  bool has_option(std::string_view o) const;
};

struct permissions {
  bool view = false, add = false, edit = false, remove = false, manage = false;
};

struct token_def {
  std::string token;
  permissions perms;
};

struct app_def {
  std::int64_t id = 0;
  std::string name;
  std::string description;
  std::optional<std::int64_t> guest_space;  // set: served only under /k/guest/{space}/v1/
  std::vector<field_def> fields;            // user fields and system fields, in form order
  std::vector<token_def> tokens;

  const field_def* field(std::string_view code) const;  // top-level fields only
  const field_def* system_field(field_type t) const;    // the field of that system type
  const token_def* token(std::string_view value) const;
};

struct user_def {
  std::string login;  // the user code shown in USER_SELECT, CREATOR, MODIFIER
  std::string name;
  std::string password;                      // empty: listed in the directory only, cannot log in
  bool admin = false;                        // all permissions on every app, may set system fields on add
  std::map<std::int64_t, permissions> apps;  // per-app rights of a non-admin

  permissions on(std::int64_t app) const;
};

struct schema {
  std::vector<app_def> apps;
  std::vector<user_def> users;

  const app_def* app(std::int64_t id) const;
  const user_def* user(std::string_view login) const;
  // The app a token belongs to, or nullptr.
  const app_def* app_of_token(std::string_view token) const;
};

// Parses YAML text; errors name the place ("apps[0].fields[2] (line 14): ...").
ks::result<schema, std::string> load_schema_text(const std::string& text);
ks::result<schema, std::string> load_schema_file(const std::string& path);

// "view,add,edit,delete,manage" (any subset, any order).
std::optional<permissions> parse_permissions(std::string_view list);

}  // namespace kintone_emulator
