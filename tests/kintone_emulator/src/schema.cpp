#include "schema.hpp"

#include <yaml-cpp/yaml.h>
#include <boost/json.hpp>
#include <fstream>
#include <set>
#include <sstream>

namespace kintone_emulator {

namespace json = boost::json;

namespace {

constexpr std::pair<field_type, std::string_view> type_names[] = {
    {field_type::single_line_text, "SINGLE_LINE_TEXT"},
    {field_type::multi_line_text, "MULTI_LINE_TEXT"},
    {field_type::number, "NUMBER"},
    {field_type::check_box, "CHECK_BOX"},
    {field_type::multi_select, "MULTI_SELECT"},
    {field_type::radio_button, "RADIO_BUTTON"},
    {field_type::drop_down, "DROP_DOWN"},
    {field_type::date, "DATE"},
    {field_type::datetime, "DATETIME"},
    {field_type::link, "LINK"},
    {field_type::user_select, "USER_SELECT"},
    {field_type::subtable, "SUBTABLE"},
    {field_type::file, "FILE"},
    {field_type::record_number, "RECORD_NUMBER"},
    {field_type::id, "__ID__"},
    {field_type::revision, "__REVISION__"},
    {field_type::creator, "CREATOR"},
    {field_type::created_time, "CREATED_TIME"},
    {field_type::modifier, "MODIFIER"},
    {field_type::updated_time, "UPDATED_TIME"},
};

// The system fields every app has, with Kintone's default (English) codes.
constexpr std::pair<field_type, std::string_view> system_defaults[] = {
    {field_type::record_number, "Record_number"},
    {field_type::creator, "Created_by"},
    {field_type::created_time, "Created_datetime"},
    {field_type::modifier, "Updated_by"},
    {field_type::updated_time, "Updated_datetime"},
    {field_type::id, "$id"},
    {field_type::revision, "$revision"},
};

struct schema_error {
  std::string message;
};

std::string where(const YAML::Node& node, const std::string& path) {
  const auto mark = node.Mark();
  return mark.line < 0 ? path : path + " (line " + std::to_string(mark.line + 1) + ")";
}

[[noreturn]] void bad(const YAML::Node& node, const std::string& path, const std::string& what) {
  throw schema_error{where(node, path) + ": " + what};
}

void check_keys(const YAML::Node& node, const std::string& path, const std::set<std::string>& allowed) {
  if (!node.IsMap()) bad(node, path, "expected a mapping");
  for (const auto& kv : node) {
    const auto key = kv.first.as<std::string>();
    if (!allowed.count(key)) bad(kv.first, path, "unknown key '" + key + "'");
  }
}

std::string text(const YAML::Node& parent, const char* key, const std::string& path, bool required) {
  const auto node = parent[key];
  if (!node) {
    if (required) bad(parent, path, std::string("missing key '") + key + "'");
    return {};
  }
  if (!node.IsScalar()) bad(node, path + "." + key, "expected a scalar");
  return node.as<std::string>();
}

bool flag(const YAML::Node& parent, const char* key, const std::string& path) {
  const auto node = parent[key];
  if (!node) return false;
  try {
    return node.as<bool>();
  } catch (const YAML::Exception&) {
    bad(node, path + "." + key, "expected true or false");
  }
}

std::int64_t integer(const YAML::Node& node, const std::string& path) {
  try {
    const auto v = node.as<std::int64_t>();
    if (v < 1) bad(node, path, "expected a positive integer");
    return v;
  } catch (const YAML::Exception&) {
    bad(node, path, "expected a positive integer");
  }
}

json::value to_json(const YAML::Node& node) {
  if (node.IsSequence()) {
    json::array a;
    for (const auto& item : node) a.push_back(to_json(item));
    return a;
  }
  if (node.IsNull()) return nullptr;
  return json::string(node.as<std::string>());
}

permissions load_permissions(const YAML::Node& node, const std::string& path) {
  if (!node || !node.IsSequence()) bad(node, path, "expected a list of view, add, edit, delete, manage");
  std::string joined;
  for (const auto& p : node) joined += (joined.empty() ? "" : ",") + p.as<std::string>();
  const auto perms = parse_permissions(joined);
  if (!perms) bad(node, path, "expected a list of view, add, edit, delete, manage");
  return *perms;
}

field_def load_field(const YAML::Node& node, const std::string& path, bool in_subtable) {
  check_keys(node, path, {"code", "label", "type", "required", "unique", "options", "default", "fields"});
  field_def f;
  f.code = text(node, "code", path, true);
  if (f.code.empty() || f.code.find_first_of(" \t\"()=,<>!") != std::string::npos)
    bad(node, path + ".code", "'" + f.code + "' is not a valid field code");
  f.label = text(node, "label", path, false);
  if (f.label.empty()) f.label = f.code;
  const auto type = parse_type_name(text(node, "type", path, true));
  if (!type) bad(node["type"], path + ".type", "unknown field type '" + node["type"].as<std::string>() + "'");
  f.type = *type;
  if (in_subtable && (f.type == field_type::subtable || is_system(f.type)))
    bad(node, path, "a SUBTABLE column cannot be a SUBTABLE or a system field");
  f.required = flag(node, "required", path);
  f.unique = flag(node, "unique", path);
  if (f.unique && (in_subtable || (f.type != field_type::single_line_text && f.type != field_type::number &&
                                   f.type != field_type::link)))
    bad(node, path + ".unique", "only top-level SINGLE_LINE_TEXT, NUMBER and LINK fields can be unique");
  if (is_system(f.type) && (f.required || f.unique)) bad(node, path, "system fields take no required/unique");
  const bool has_options = f.type == field_type::check_box || f.type == field_type::multi_select ||
                           f.type == field_type::radio_button || f.type == field_type::drop_down;
  if (const auto opts = node["options"]) {
    if (!has_options) bad(opts, path + ".options", "only selection fields have options");
    if (!opts.IsSequence()) bad(opts, path + ".options", "expected a list");
    for (const auto& o : opts) {
      const auto name = o.as<std::string>();
      if (f.has_option(name)) bad(o, path + ".options", "duplicate option '" + name + "'");
      f.options.push_back(name);
    }
  } else if (has_options) {
    bad(node, path, "a selection field needs options");
  }
  if (const auto d = node["default"]) f.default_value = to_json(d);
  if (const auto cols = node["fields"]) {
    if (f.type != field_type::subtable) bad(cols, path + ".fields", "only a SUBTABLE has fields");
    std::size_t i = 0;
    for (const auto& c : cols) f.fields.push_back(load_field(c, path + ".fields[" + std::to_string(i++) + "]", true));
  } else if (f.type == field_type::subtable) {
    bad(node, path, "a SUBTABLE needs fields");
  }
  return f;
}

app_def load_app(const YAML::Node& node, const std::string& path) {
  check_keys(node, path, {"id", "name", "description", "guest_space", "tokens", "fields"});
  app_def a;
  a.id = integer(node["id"], path + ".id");
  a.name = text(node, "name", path, true);
  a.description = text(node, "description", path, false);
  if (const auto g = node["guest_space"]) a.guest_space = integer(g, path + ".guest_space");
  std::set<std::string> codes;
  std::size_t i = 0;
  for (const auto& fnode : node["fields"]) {
    const std::string fpath = path + ".fields[" + std::to_string(i++) + "]";
    auto f = load_field(fnode, fpath, false);
    if ((f.type == field_type::id || f.type == field_type::revision))
      bad(fnode, fpath, "$id and $revision are always present and cannot be listed");
    if (is_system(f.type) && a.system_field(f.type)) bad(fnode, fpath, "a second " + std::string(type_name(f.type)));
    auto check_code = [&](const field_def& x) {
      if (!codes.insert(x.code).second) bad(fnode, fpath, "duplicate field code '" + x.code + "'");
    };
    check_code(f);
    for (const auto& c : f.fields) check_code(c);
    a.fields.push_back(std::move(f));
  }
  for (const auto& [t, code] : system_defaults) {
    if (a.system_field(t)) continue;
    if (!codes.insert(std::string(code)).second)
      bad(node, path, "field code '" + std::string(code) + "' clashes with a system field");
    field_def f;
    f.code = std::string(code);
    f.label = f.code;
    f.type = t;
    a.fields.push_back(std::move(f));
  }
  i = 0;
  for (const auto& tnode : node["tokens"]) {
    const std::string tpath = path + ".tokens[" + std::to_string(i++) + "]";
    check_keys(tnode, tpath, {"token", "permissions"});
    token_def t;
    t.token = text(tnode, "token", tpath, true);
    if (t.token.empty() || t.token.find(',') != std::string::npos)
      bad(tnode, tpath, "a token is non-empty and has no comma");
    t.perms = load_permissions(tnode["permissions"], tpath + ".permissions");
    a.tokens.push_back(std::move(t));
  }
  if (a.tokens.size() > 20) bad(node, path + ".tokens", "at most 20 tokens per app");
  return a;
}

user_def load_user(const YAML::Node& node, const std::string& path) {
  check_keys(node, path, {"login", "name", "password", "admin", "apps"});
  user_def u;
  u.login = text(node, "login", path, true);
  u.name = text(node, "name", path, false);
  if (u.name.empty()) u.name = u.login;
  u.password = text(node, "password", path, false);
  u.admin = flag(node, "admin", path);
  if (const auto apps = node["apps"]) {
    if (!apps.IsMap()) bad(apps, path + ".apps", "expected {app id: [permissions]}");
    for (const auto& kv : apps) {
      const auto id = integer(kv.first, path + ".apps");
      u.apps[id] = load_permissions(kv.second, path + ".apps." + std::to_string(id));
    }
  }
  return u;
}

}  // namespace

std::string_view type_name(field_type t) {
  for (const auto& [k, n] : type_names)
    if (k == t) return n;
  return "?";
}

std::optional<field_type> parse_type_name(std::string_view name) {
  for (const auto& [k, n] : type_names)
    if (n == name) return k;
  return std::nullopt;
}

bool is_system(field_type t) {
  switch (t) {
    case field_type::record_number:
    case field_type::id:
    case field_type::revision:
    case field_type::creator:
    case field_type::created_time:
    case field_type::modifier:
    case field_type::updated_time: return true;
    default: return false;
  }
}

bool is_multi_valued(field_type t) {
  return t == field_type::check_box || t == field_type::multi_select || t == field_type::user_select ||
         t == field_type::subtable || t == field_type::file;
}

bool field_def::has_option(std::string_view o) const {
  for (const auto& x : options)
    if (x == o) return true;
  return false;
}

const field_def* app_def::field(std::string_view code) const {
  for (const auto& f : fields)
    if (f.code == code) return &f;
  return nullptr;
}

const field_def* app_def::system_field(field_type t) const {
  for (const auto& f : fields)
    if (f.type == t) return &f;
  return nullptr;
}

const token_def* app_def::token(std::string_view value) const {
  for (const auto& t : tokens)
    if (t.token == value) return &t;
  return nullptr;
}

permissions user_def::on(std::int64_t app) const {
  if (admin) return {true, true, true, true, true};
  const auto it = apps.find(app);
  return it == apps.end() ? permissions{} : it->second;
}

const app_def* schema::app(std::int64_t id) const {
  for (const auto& a : apps)
    if (a.id == id) return &a;
  return nullptr;
}

const user_def* schema::user(std::string_view login) const {
  for (const auto& u : users)
    if (u.login == login) return &u;
  return nullptr;
}

const app_def* schema::app_of_token(std::string_view token) const {
  for (const auto& a : apps)
    if (a.token(token)) return &a;
  return nullptr;
}

std::optional<permissions> parse_permissions(std::string_view list) {
  permissions p;
  while (!list.empty()) {
    const auto comma = list.find(',');
    const auto item = list.substr(0, comma);
    if (item == "view")
      p.view = true;
    else if (item == "add")
      p.add = true;
    else if (item == "edit")
      p.edit = true;
    else if (item == "delete")
      p.remove = true;
    else if (item == "manage")
      p.manage = true;
    else
      return std::nullopt;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return p;
}

ks::result<schema, std::string> load_schema_text(const std::string& yaml_text) {
  try {
    const YAML::Node root = YAML::Load(yaml_text);
    check_keys(root, "schema", {"apps", "users"});
    schema s;
    std::set<std::int64_t> ids;
    std::set<std::string> tokens;
    std::size_t i = 0;
    for (const auto& anode : root["apps"]) {
      const std::string path = "apps[" + std::to_string(i++) + "]";
      auto a = load_app(anode, path);
      if (!ids.insert(a.id).second) bad(anode, path, "duplicate app id " + std::to_string(a.id));
      for (const auto& t : a.tokens)
        if (!tokens.insert(t.token).second) bad(anode, path, "token '" + t.token + "' is used twice");
      s.apps.push_back(std::move(a));
    }
    if (s.apps.empty()) bad(root, "schema", "no apps");
    i = 0;
    for (const auto& unode : root["users"]) {
      const std::string path = "users[" + std::to_string(i++) + "]";
      auto u = load_user(unode, path);
      if (s.user(u.login)) bad(unode, path, "duplicate login '" + u.login + "'");
      s.users.push_back(std::move(u));
    }
    return s;
  } catch (const schema_error& e) {
    return ks::fail(e.message);
  } catch (const YAML::Exception& e) {
    return ks::fail(std::string(e.what()));
  }
}

ks::result<schema, std::string> load_schema_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return ks::fail("cannot read " + path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  auto s = load_schema_text(buffer.str());
  if (!s) return ks::fail(path + ": " + s.error());
  return s;
}

}  // namespace kintone_emulator
