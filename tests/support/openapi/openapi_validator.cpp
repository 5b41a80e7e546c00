#include "tests/support/openapi/openapi_validator.hpp"

#include <algorithm>
#include <array>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cctype>
#include <cstdint>
#include <fstream>
#include <functional>
#include <iterator>
#include <set>
#include <sstream>
#include <stdexcept>
#include <unordered_map>
#include <utility>

// GCC 12 reports a false -Wmaybe-uninitialized inside libstdc++'s regex compiler (std::function
// moves in regex_automaton.h) under -O1 with the sanitizers; the code is the library's, not ours.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <regex>
#pragma GCC diagnostic pop

namespace ks::test {

namespace json = boost::json;

namespace {

// Deeper than any real schema or body; stops $ref cycles and pathological bodies without a crash.
constexpr int max_depth = 200;

// Properties that the generator failed to mark nullable although the API sends null there.
// SerializedFieldValueDict.value: a field that was cleared can come back as "value": null (PATCH
// echoes the fields it changed, including one just set to null; a null checkbox reads as
// unchecked per API-NOTES.md), so a validator that rejected null would fail on real answers.
struct null_override {
  std::string_view component;
  std::string_view property;
};
constexpr std::array<null_override, 1> null_overrides{{{"SerializedFieldValueDict", "value"}}};

// Word lists as constexpr arrays, not std::set: kizen() may be called during another file's
// static initialisation, before any non-constant global here would be constructed.
template <std::size_t n>
using words = std::array<std::string_view, n>;

constexpr words<14> assertion_keywords{
    "$ref",  "type",  "nullable", "required",  "properties", "additionalProperties", "items", "enum", "oneOf",
    "anyOf", "allOf", "format",   "minLength", "pattern"};
constexpr words<9> annotation_keywords{"title",     "description", "default",      "example", "readOnly",
                                       "writeOnly", "deprecated",  "externalDocs", "xml"};
constexpr words<7> known_types{"object", "array", "string", "integer", "number", "boolean", "null"};
constexpr words<8> http_methods{"get", "put", "post", "delete", "options", "head", "patch", "trace"};

template <std::size_t n>
bool listed(const words<n>& list, std::string_view word) {
  return std::find(list.begin(), list.end(), word) != list.end();
}

constexpr std::string_view schema_prefix = "#/components/schemas/";

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool is_extension(std::string_view key) { return key.starts_with("x-"); }

std::string pointer_child(std::string_view parent, std::string_view key) {
  std::string out(parent);
  out += '/';
  for (char c : key) {
    if (c == '~')
      out += "~0";
    else if (c == '/')
      out += "~1";
    else
      out += c;
  }
  return out;
}

// JSONPath-like child paths: `.name` for identifiers, `['key']` otherwise (field UUIDs).
std::string child_path(const std::string& parent, std::string_view key) {
  bool identifier = !key.empty() && (std::isalpha(static_cast<unsigned char>(key[0])) || key[0] == '_');
  for (char c : key)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') identifier = false;
  if (identifier) return parent + "." + std::string(key);
  std::string out = parent + "['";
  for (char c : key) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "']";
}

std::string index_path(const std::string& parent, std::size_t i) { return parent + "[" + std::to_string(i) + "]"; }

std::string kind_name(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null: return "null";
    case json::kind::bool_: return "boolean";
    case json::kind::int64:
    case json::kind::uint64: return "integer";
    case json::kind::double_: return "number";
    case json::kind::string: return "string";
    case json::kind::array: return "array";
    case json::kind::object: return "object";
  }
  return "?";
}

// A value for a message, cut short so one huge body does not flood the test output.
std::string brief(const json::value& v) {
  std::string s = json::serialize(v);
  if (s.size() > 80) s = s.substr(0, 77) + "...";
  return s;
}

bool type_matches(std::string_view type, const json::value& v) {
  if (type == "object") return v.is_object();
  if (type == "array") return v.is_array();
  if (type == "string") return v.is_string();
  if (type == "integer") return v.is_int64() || v.is_uint64();
  if (type == "number") return v.is_number();
  if (type == "boolean") return v.is_bool();
  if (type == "null") return v.is_null();
  return false;
}

bool is_uuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (s[i] != '-') return false;
    } else if (!std::isxdigit(static_cast<unsigned char>(s[i]))) {
      return false;
    }
  }
  return true;
}

// Loose on purpose: scheme http or https, a non-empty authority, no whitespace or control
// characters. Enough to catch a relative path or garbage where the API promises a URL.
bool is_http_url(std::string_view s) {
  std::string l = lower(s.substr(0, 8));
  std::size_t rest;
  if (l.starts_with("http://"))
    rest = 7;
  else if (l.starts_with("https://"))
    rest = 8;
  else
    return false;
  for (char c : s)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return false;
  std::size_t end = s.find_first_of("/?#", rest);
  return (end == std::string_view::npos ? s.size() : end) > rest;
}

std::size_t code_points(std::string_view s) {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

// "#/components/schemas/Name" -> "Name"; empty for any other pointer.
std::string component_name(std::string_view ref) {
  if (!ref.starts_with(schema_prefix)) return {};
  std::string_view rest = ref.substr(schema_prefix.size());
  if (rest.empty() || rest.find('/') != std::string_view::npos) return {};
  std::string out;
  for (std::size_t i = 0; i < rest.size(); ++i) {
    if (rest[i] == '~' && i + 1 < rest.size() && (rest[i + 1] == '0' || rest[i + 1] == '1')) {
      out += rest[i + 1] == '0' ? '~' : '/';
      ++i;
    } else {
      out += rest[i];
    }
  }
  return out;
}

[[noreturn]] void broken(std::string_view where, std::string_view what) {
  throw std::invalid_argument("OpenAPI document: " + std::string(where) + ": " + std::string(what));
}

std::string_view string_or_empty(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string_view(v->get_string()) : std::string_view();
}

}  // namespace

namespace detail {

struct path_segment {
  enum class kind { literal, parameter, mixed };
  kind k = kind::literal;
  std::string text;
  std::regex matcher;  // mixed segments ("{id}.json") only
};

struct path_entry {
  std::string text;  // as written in the document
  std::vector<path_segment> segments;
  const json::object* item = nullptr;
};

struct openapi_model {
  json::value doc;
  std::set<std::string, std::less<>> field_maps;  // components read as maps keyed by UUID
  std::unordered_map<std::string, std::regex> patterns;
  std::vector<path_entry> paths;

  const json::value* resolve(std::string_view ref) const {
    if (!ref.starts_with("#")) return nullptr;
    boost::system::error_code ec;
    return doc.find_pointer(ref.substr(1), ec);
  }

  // The component's entry in components.schemas; its key doubles as a name that lives as long
  // as the document (frames keep string_views of it).
  const json::key_value_pair* component(std::string_view name) const {
    const json::value* c = doc.get_object().if_contains("components");
    const json::value* s = c && c->is_object() ? c->get_object().if_contains("schemas") : nullptr;
    if (!s || !s->is_object()) return nullptr;
    auto it = s->get_object().find(name);
    return it == s->get_object().end() ? nullptr : &*it;
  }

  const json::object* operation(std::string_view method, std::string_view path_template) const {
    for (const auto& p : paths) {
      if (p.text != path_template) continue;
      std::string m = lower(method);
      if (!listed(http_methods, m)) return nullptr;
      const json::value* op = p.item->if_contains(m);
      return op && op->is_object() ? &op->get_object() : nullptr;
    }
    return nullptr;
  }
};

}  // namespace detail

namespace {

using detail::openapi_model;

// Where a schema sits, for the two readings that depend on it.
struct frame {
  std::string_view component;  // the schema is the root of this component
  std::string_view owner;      // the component whose `properties` declared this schema
  std::string_view property;   // ... under this name
  bool in_property = false;
};

// The generator's free-form JSON field: type object, additionalProperties {}, nothing else that
// constrains. Only at a property position: an `items` schema of that shape (FilterQueryRequest's
// filters) really is a list of objects.
bool is_free_form(const json::object& s, const frame& f) {
  if (!f.in_property || string_or_empty(s, "type") != "object") return false;
  const json::value* ap = s.if_contains("additionalProperties");
  if (!ap || !ap->is_object() || !ap->get_object().empty()) return false;
  return std::all_of(s.begin(), s.end(), [](const json::key_value_pair& kv) {
    std::string_view k = kv.key();
    return k == "type" || k == "additionalProperties" || k == "nullable" || listed(annotation_keywords, k) ||
           is_extension(k);
  });
}

bool null_allowed(const json::object& s, const frame& f) {
  const json::value* n = s.if_contains("nullable");
  if (n && n->is_bool() && n->get_bool()) return true;
  if (!f.in_property) return false;
  return std::any_of(null_overrides.begin(), null_overrides.end(),
                     [&](const null_override& o) { return o.component == f.owner && o.property == f.property; });
}

class checker {
 public:
  checker(const openapi_model& model, std::vector<std::string>& out) : model_(model), out_(out) {}

  // `schema` is the component `name`'s schema.
  void component(std::string_view name, const json::value& schema, const json::value& v, const std::string& path,
                 frame f, int depth) {
    f.component = name;
    if (model_.field_maps.contains(name))
      field_map(name, schema.get_object(), v, path, f, depth);
    else
      check(schema, v, path, f, depth);
  }

  void check(const json::value& schema, const json::value& v, const std::string& path, const frame& f, int depth) {
    if (depth > max_depth) {
      add(path, "schema nesting deeper than " + std::to_string(max_depth) + " (a $ref cycle?)");
      return;
    }
    if (schema.is_bool()) {
      if (!schema.get_bool()) add(path, "no value is allowed here (schema false)");
      return;
    }
    if (!schema.is_object()) {
      add(path, "the document's schema here is not an object");
      return;
    }
    const json::object& s = schema.get_object();

    if (const json::value* ref = s.if_contains("$ref")) {  // siblings of $ref are ignored (3.0)
      std::string_view r = ref->get_string();
      const json::value* target = model_.resolve(r);
      if (!target) {
        add(path, "unresolvable $ref '" + std::string(r) + "'");
        return;
      }
      std::string name = component_name(r);
      frame next = f;
      next.component = {};
      if (const json::key_value_pair* c = name.empty() ? nullptr : model_.component(name))
        component(c->key(), c->value(), v, path, next, depth + 1);
      else
        check(*target, v, path, next, depth + 1);
      return;
    }

    if (v.is_null() && null_allowed(s, f)) return;

    if (is_free_form(s, f)) {
      if (v.is_null()) add(path, "null is not allowed (the free-form value is not nullable)");
      return;
    }

    if (const json::value* t = s.if_contains("type")) {
      std::string_view type = t->get_string();
      if (!type_matches(type, v)) {
        add(path, "expected " + std::string(type) + ", got " + kind_name(v));
        return;
      }
    }

    if (const json::value* e = s.if_contains("enum")) {
      const json::array& options = e->get_array();
      if (std::find(options.begin(), options.end(), v) == options.end())
        add(path, "value " + brief(v) + " is not one of " + brief(*e));
    }

    if (v.is_string()) string_rules(s, v.get_string(), path);
    if (v.is_object()) object_rules(s, v.get_object(), path, f, depth);
    if (v.is_array()) {
      if (const json::value* items = s.if_contains("items")) {
        const json::array& a = v.get_array();
        for (std::size_t i = 0; i < a.size(); ++i) check(*items, a[i], index_path(path, i), {}, depth + 1);
      }
    }

    if (const json::value* all = s.if_contains("allOf"))
      for (const json::value& sub : all->get_array()) check(sub, v, path, f, depth + 1);
    if (const json::value* any = s.if_contains("anyOf")) alternatives("anyOf", *any, v, path, f, depth);
    if (const json::value* one = s.if_contains("oneOf")) alternatives("oneOf", *one, v, path, f, depth);
  }

 private:
  void add(const std::string& path, const std::string& what) { out_.push_back(path + ": " + what); }

  void string_rules(const json::object& s, std::string_view str, const std::string& path) {
    if (const json::value* m = s.if_contains("minLength")) {
      // Checked non-negative at construction.
      std::uint64_t min = m->is_uint64() ? m->get_uint64() : static_cast<std::uint64_t>(m->get_int64());
      std::size_t n = code_points(str);
      if (n < min)
        add(path, "string of " + std::to_string(n) + " characters is shorter than minLength " + std::to_string(min));
    }
    if (const json::value* p = s.if_contains("pattern")) {
      std::string pattern(p->get_string());
      if (!std::regex_search(str.begin(), str.end(), model_.patterns.at(pattern)))
        add(path, "string " + brief(json::value(str)) + " does not match pattern '" + pattern + "'");
    }
    std::string_view format = string_or_empty(s, "format");
    if (format == "uuid" && !is_uuid(str))
      add(path, "string " + brief(json::value(str)) + " is not a uuid");
    else if (format == "uri" && !is_http_url(str))
      add(path, "string " + brief(json::value(str)) + " is not an absolute http(s) URL");
  }

  void object_rules(const json::object& s, const json::object& o, const std::string& path, const frame& f, int depth) {
    if (const json::value* r = s.if_contains("required"))
      for (const json::value& name : r->get_array())
        if (!o.contains(name.get_string()))
          add(path, "required property '" + std::string(name.get_string()) + "' missing");
    const json::value* props = s.if_contains("properties");
    const json::value* extra = s.if_contains("additionalProperties");
    for (const json::key_value_pair& kv : o) {
      std::string child = child_path(path, kv.key());
      const json::value* p = props ? props->get_object().if_contains(kv.key()) : nullptr;
      if (p) {
        frame pf;
        pf.owner = f.component;
        pf.property = kv.key();
        pf.in_property = true;
        check(*p, kv.value(), child, pf, depth + 1);
      } else if (extra && extra->is_bool() && !extra->get_bool()) {
        add(path, "property '" + std::string(kv.key()) + "' is not allowed (additionalProperties: false)");
      } else if (extra && extra->is_object()) {
        check(*extra, kv.value(), child, {}, depth + 1);
      }
    }
  }

  // Reading 1 (see the header): a dict keyed by field UUID, each value matching the schema the
  // lone `id` property refers to.
  void field_map(std::string_view name, const json::object& s, const json::value& v, const std::string& path,
                 const frame& f, int depth) {
    if (v.is_null() && null_allowed(s, f)) return;
    if (!v.is_object()) {
      add(path, "expected object (" + std::string(name) + ": a map keyed by field UUID), got " + kind_name(v));
      return;
    }
    const json::value& entry = s.at("properties").get_object().at("id");
    for (const json::key_value_pair& kv : v.get_object()) {
      std::string child = child_path(path, kv.key());
      if (!is_uuid(kv.key()))
        add(child, "key is not a field UUID (" + std::string(name) + " is a map keyed by field UUID)");
      check(entry, kv.value(), child, {}, depth + 1);
    }
  }

  void alternatives(std::string_view keyword, const json::value& list, const json::value& v, const std::string& path,
                    const frame& f, int depth) {
    const json::array& subs = list.get_array();
    std::vector<std::size_t> matched;
    std::string details;
    for (std::size_t i = 0; i < subs.size(); ++i) {
      std::vector<std::string> sub_out;
      checker sub(model_, sub_out);
      sub.check(subs[i], v, path, f, depth + 1);
      if (sub_out.empty()) {
        matched.push_back(i);
        continue;
      }
      details += " [" + label(subs[i], i) + ": ";
      for (std::size_t k = 0; k < sub_out.size() && k < 3; ++k) details += (k ? "; " : "") + sub_out[k];
      if (sub_out.size() > 3) details += "; and " + std::to_string(sub_out.size() - 3) + " more";
      details += "]";
    }
    if (matched.empty()) {
      add(path, "matches none of the " + std::string(keyword) + " alternatives:" + details);
    } else if (keyword == "oneOf" && matched.size() > 1) {
      std::string which;
      for (std::size_t i : matched) which += (which.empty() ? "" : ", ") + label(subs[i], i);
      add(path,
          "matches " + std::to_string(matched.size()) + " oneOf alternatives (" + which + "); exactly one must match");
    }
  }

  static std::string label(const json::value& sub, std::size_t i) {
    if (sub.is_object())
      if (const json::value* r = sub.get_object().if_contains("$ref")) {
        std::string name = component_name(r->get_string());
        if (!name.empty()) return name;
      }
    return "#" + std::to_string(i);
  }

  const openapi_model& model_;
  std::vector<std::string>& out_;
};

// ---- construction: check the document once so validation can trust its shape -------------------

class document_check {
 public:
  explicit document_check(openapi_model& model) : model_(model) {}

  void walk_document(const json::value& v, const std::string& ptr) {
    if (v.is_array()) {
      const json::array& a = v.get_array();
      for (std::size_t i = 0; i < a.size(); ++i) walk_document(a[i], ptr + "/" + std::to_string(i));
      return;
    }
    if (!v.is_object()) return;
    for (const json::key_value_pair& kv : v.get_object()) {
      std::string_view k = kv.key();
      std::string child = pointer_child(ptr, k);
      if (k == "example" || k == "examples" || is_extension(k)) continue;
      if (k == "$ref") {
        check_ref(kv.value(), child);
      } else if (k == "schema") {
        walk_schema(kv.value(), child);
      } else if (k == "schemas" && ptr == "#/components") {
        if (!kv.value().is_object()) broken(child, "must be an object");
        for (const json::key_value_pair& s : kv.value().get_object())
          walk_schema(s.value(), pointer_child(child, s.key()));
      } else {
        walk_document(kv.value(), child);
      }
    }
  }

  void walk_schema(const json::value& schema, const std::string& ptr) {
    if (!walked_.insert(&schema).second) return;  // shared or cyclic $ref targets: once is enough
    if (schema.is_bool()) return;
    if (!schema.is_object()) broken(ptr, "a schema must be an object");
    const json::object& s = schema.get_object();
    if (const json::value* ref = s.if_contains("$ref")) {
      check_ref(*ref, ptr + "/$ref");
      // A $ref may point anywhere in the document: make sure what it names is a valid schema.
      walk_schema(*model_.resolve(ref->get_string()), std::string(ref->get_string()));
      return;
    }
    for (const json::key_value_pair& kv : s) {
      std::string_view k = kv.key();
      if (!listed(assertion_keywords, k) && !listed(annotation_keywords, k) && !is_extension(k))
        broken(ptr, "unsupported schema keyword '" + std::string(k) + "' (the validator would silently ignore it)");
    }
    if (const json::value* t = s.if_contains("type"))
      if (!t->is_string() || !listed(known_types, t->get_string()))
        broken(ptr + "/type", "must be one of object, array, string, integer, number, boolean, null");
    if (const json::value* n = s.if_contains("nullable"); n && !n->is_bool())
      broken(ptr + "/nullable", "must be a boolean");
    if (const json::value* r = s.if_contains("required")) {
      if (!r->is_array()) broken(ptr + "/required", "must be an array of strings");
      for (const json::value& e : r->get_array())
        if (!e.is_string()) broken(ptr + "/required", "must be an array of strings");
    }
    if (const json::value* p = s.if_contains("properties")) {
      if (!p->is_object()) broken(ptr + "/properties", "must be an object");
      for (const json::key_value_pair& kv : p->get_object())
        walk_schema(kv.value(), pointer_child(ptr + "/properties", kv.key()));
    }
    if (const json::value* a = s.if_contains("additionalProperties")) {
      if (!a->is_bool()) walk_schema(*a, ptr + "/additionalProperties");
    }
    if (const json::value* i = s.if_contains("items")) {
      if (i->is_array()) broken(ptr + "/items", "tuple-style items are not supported");
      walk_schema(*i, ptr + "/items");
    }
    if (const json::value* e = s.if_contains("enum"); e && !e->is_array()) broken(ptr + "/enum", "must be an array");
    for (std::string_view k : {"allOf", "anyOf", "oneOf"}) {
      const json::value* list = s.if_contains(k);
      if (!list) continue;
      std::string lp = ptr + "/" + std::string(k);
      if (!list->is_array() || list->get_array().empty()) broken(lp, "must be a non-empty array");
      const json::array& a = list->get_array();
      for (std::size_t i = 0; i < a.size(); ++i) walk_schema(a[i], lp + "/" + std::to_string(i));
    }
    if (const json::value* f = s.if_contains("format"); f && !f->is_string())
      broken(ptr + "/format", "must be a string");
    if (const json::value* m = s.if_contains("minLength");
        m && !((m->is_int64() && m->get_int64() >= 0) || m->is_uint64()))
      broken(ptr + "/minLength", "must be a non-negative integer");
    if (const json::value* p = s.if_contains("pattern")) {
      if (!p->is_string()) broken(ptr + "/pattern", "must be a string");
      std::string pattern(p->get_string());
      if (!model_.patterns.contains(pattern)) {
        try {
          model_.patterns.emplace(pattern, std::regex(pattern, std::regex::ECMAScript));
        } catch (const std::regex_error& e) {
          broken(ptr + "/pattern", "does not compile: " + std::string(e.what()));
        }
      }
    }
  }

  void check_ref(const json::value& ref, const std::string& ptr) {
    if (!ref.is_string()) broken(ptr, "$ref must be a string");
    std::string_view r = ref.get_string();
    if (!r.starts_with("#")) broken(ptr, "only local $refs are supported, got '" + std::string(r) + "'");
    if (!model_.resolve(r)) broken(ptr, "$ref '" + std::string(r) + "' does not resolve");
  }

  // Reading 1's structural test: type object, exactly one property, named `id`, which is a $ref
  // to an object schema; nothing else that constrains. No real record schema looks like this
  // (ids are strings), and the generator writes every UUID-keyed dict this way.
  bool is_field_map(const json::value& schema) const {
    if (!schema.is_object()) return false;
    const json::object& s = schema.get_object();
    if (string_or_empty(s, "type") != "object") return false;
    for (const json::key_value_pair& kv : s) {
      std::string_view k = kv.key();
      if (k != "type" && k != "properties" && k != "required" && !listed(annotation_keywords, k) && !is_extension(k))
        return false;
    }
    const json::value* props = s.if_contains("properties");
    if (!props || props->get_object().size() != 1 || !props->get_object().contains("id")) return false;
    if (const json::value* r = s.if_contains("required")) {
      const json::array& req = r->get_array();
      if (req.size() > 1 || (req.size() == 1 && req[0].get_string() != "id")) return false;
    }
    const json::value& id = props->get_object().at("id");
    if (!id.is_object()) return false;
    const json::value* ref = id.get_object().if_contains("$ref");
    if (!ref) return false;
    const json::value* target = model_.resolve(ref->get_string());
    return target && target->is_object() && string_or_empty(target->get_object(), "type") == "object";
  }

  void build_paths() {
    const json::value& paths = model_.doc.get_object().at("paths");
    for (const json::key_value_pair& kv : paths.get_object()) {
      std::string where = pointer_child("#/paths", kv.key());
      if (!kv.key().starts_with("/")) broken(where, "a path must start with '/'");
      const json::value* item = &kv.value();
      if (item->is_object())
        if (const json::value* ref = item->get_object().if_contains("$ref")) item = model_.resolve(ref->get_string());
      if (!item || !item->is_object()) broken(where, "a path item must be an object");
      detail::path_entry entry;
      entry.text = kv.key();
      entry.item = &item->get_object();
      std::string_view rest = std::string_view(kv.key()).substr(1);
      while (true) {
        std::size_t slash = rest.find('/');
        entry.segments.push_back(make_segment(rest.substr(0, slash), where));
        if (slash == std::string_view::npos) break;
        rest = rest.substr(slash + 1);
      }
      model_.paths.push_back(std::move(entry));
    }
  }

  void find_field_maps() {
    const json::value* c = model_.doc.get_object().if_contains("components");
    const json::value* s = c && c->is_object() ? c->get_object().if_contains("schemas") : nullptr;
    if (!s) return;
    for (const json::key_value_pair& kv : s->get_object())
      if (is_field_map(kv.value())) model_.field_maps.emplace(kv.key());
  }

 private:
  static detail::path_segment make_segment(std::string_view text, const std::string& where) {
    detail::path_segment seg;
    seg.text = text;
    if (text.find('{') == std::string_view::npos) return seg;  // literal
    if (text.front() == '{' && text.back() == '}' && text.find('{', 1) == std::string_view::npos) {
      seg.k = detail::path_segment::kind::parameter;
      return seg;
    }
    // "{id}.json": literal parts escaped, each parameter one or more non-slash characters.
    std::string rx;
    for (std::size_t i = 0; i < text.size();) {
      if (text[i] == '{') {
        std::size_t close = text.find('}', i);
        if (close == std::string_view::npos) broken(where, "unbalanced '{' in path template");
        rx += "[^/]+";
        i = close + 1;
      } else {
        if (std::string_view(R"(\^$.|?*+()[]{}-)").find(text[i]) != std::string_view::npos) rx += '\\';
        rx += text[i++];
      }
    }
    seg.k = detail::path_segment::kind::mixed;
    seg.matcher = std::regex(rx, std::regex::ECMAScript);
    return seg;
  }

  openapi_model& model_;
  std::set<const json::value*> walked_;
};

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  std::string_view rest = path.substr(1);
  while (true) {
    std::size_t slash = rest.find('/');
    out.push_back(rest.substr(0, slash));
    if (slash == std::string_view::npos) break;
    rest = rest.substr(slash + 1);
  }
  return out;
}

bool segment_matches(const detail::path_segment& seg, std::string_view s) {
  switch (seg.k) {
    case detail::path_segment::kind::literal: return seg.text == s;
    case detail::path_segment::kind::parameter: return !s.empty();
    case detail::path_segment::kind::mixed: return std::regex_match(s.begin(), s.end(), seg.matcher);
  }
  return false;
}

// Higher is more specific: literal > mixed > parameter.
int rank(detail::path_segment::kind k) {
  switch (k) {
    case detail::path_segment::kind::literal: return 2;
    case detail::path_segment::kind::mixed: return 1;
    case detail::path_segment::kind::parameter: return 0;
  }
  return 0;
}

// The response object for a status: exact code, then "4XX"-style range, then "default".
const json::value* find_response(const openapi_model& model, const json::object& op, int status) {
  const json::value* responses = op.if_contains("responses");
  if (!responses || !responses->is_object()) return nullptr;
  const json::object& r = responses->get_object();
  std::string code = std::to_string(status);
  const json::value* found = r.if_contains(code);
  if (!found && code.size() == 3) {
    found = r.if_contains(code.substr(0, 1) + "XX");
    if (!found) found = r.if_contains(code.substr(0, 1) + "xx");
  }
  if (!found) found = r.if_contains("default");
  if (found && found->is_object())
    if (const json::value* ref = found->get_object().if_contains("$ref")) found = model.resolve(ref->get_string());
  return found && found->is_object() ? found : nullptr;
}

// The JSON schema of a response, if it has JSON content. `has_content` tells a body-less
// response (204) from one with only non-JSON bodies.
const json::value* json_schema(const json::object& response, bool& has_content) {
  const json::value* content = response.if_contains("content");
  has_content = content && content->is_object() && !content->get_object().empty();
  if (!has_content) return nullptr;
  const json::object& media = content->get_object();
  auto is_json = [](std::string_view type) {
    std::string t = lower(type.substr(0, type.find(';')));
    while (!t.empty() && t.back() == ' ') t.pop_back();
    return t == "application/json" || t.ends_with("+json");
  };
  for (const json::key_value_pair& kv : media)
    if (is_json(kv.key()) && kv.value().is_object())
      if (const json::value* s = kv.value().get_object().if_contains("schema")) return s;
  return nullptr;
}

json::value load_document(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("openapi_validator: cannot read " + path);
  std::stringstream text;
  text << in.rdbuf();
  boost::system::error_code ec;
  json::value doc = json::parse(text.str(), ec);
  if (ec) throw std::runtime_error("openapi_validator: " + path + " is not JSON: " + ec.message());
  return doc;
}

}  // namespace

const openapi_validator& openapi_validator::kizen() {
  static const openapi_validator instance(load_document(KS_OPENAPI_DOCUMENT_PATH));
  return instance;
}

openapi_validator::openapi_validator(json::value document) {
  auto model = std::make_shared<openapi_model>();
  model->doc = std::move(document);  // before any pointer into it is taken
  if (!model->doc.is_object()) broken("#", "not an OpenAPI document: the root is not an object");
  const json::object& root = model->doc.get_object();
  const json::value* version = root.if_contains("openapi");
  if (!version || !version->is_string() || !version->get_string().starts_with("3."))
    broken("#/openapi", "not an OpenAPI 3 document (expected \"openapi\": \"3.x.y\", got " +
                            (version ? brief(*version) : std::string("nothing")) + ")");
  const json::value* paths = root.if_contains("paths");
  if (!paths || !paths->is_object()) broken("#/paths", "missing or not an object");

  document_check check(*model);
  check.walk_document(model->doc, "#");
  check.find_field_maps();
  check.build_paths();
  model_ = std::move(model);
}

std::vector<std::string> openapi_validator::validate_schema(const json::value& body,
                                                            std::string_view schema_name) const {
  std::vector<std::string> out;
  const json::key_value_pair* c = model_->component(schema_name);
  if (!c) {
    out.push_back("$: schema '" + std::string(schema_name) + "' is not defined in components.schemas");
    return out;
  }
  checker(*model_, out).component(c->key(), c->value(), body, "$", {}, 0);
  return out;
}

bool openapi_validator::documents(std::string_view method, std::string_view path_template, int status) const {
  const json::object* op = model_->operation(method, path_template);
  if (!op) return false;
  const json::value* response = find_response(*model_, *op, status);
  if (!response) return false;
  bool has_content = false;
  return json_schema(response->get_object(), has_content) != nullptr;
}

std::vector<std::string> openapi_validator::validate_response(std::string_view method, std::string_view path_template,
                                                              int status, const json::value& body) const {
  std::vector<std::string> out;
  std::string op_name(method);
  std::transform(op_name.begin(), op_name.end(), op_name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  op_name += " " + std::string(path_template);
  auto found = std::find_if(model_->paths.begin(), model_->paths.end(),
                            [&](const detail::path_entry& p) { return p.text == path_template; });
  if (found == model_->paths.end()) {
    out.push_back("$: path '" + std::string(path_template) + "' is not in the document");
    return out;
  }
  const json::object* op = model_->operation(method, path_template);
  if (!op) {
    out.push_back("$: " + op_name + " is not documented");
    return out;
  }
  const json::value* response = find_response(*model_, *op, status);
  if (!response) {
    out.push_back("$: " + op_name + " documents no " + std::to_string(status) + " response");
    return out;
  }
  bool has_content = false;
  const json::value* schema = json_schema(response->get_object(), has_content);
  if (!schema) {
    if (has_content)
      out.push_back("$: " + op_name + " " + std::to_string(status) + " documents no JSON body");
    else if (!body.is_null())
      out.push_back("$: " + op_name + " " + std::to_string(status) + " documents no body, got " + kind_name(body));
    return out;
  }
  checker(*model_, out).check(*schema, body, "$", {}, 0);
  return out;
}

std::string openapi_validator::match_path(std::string_view method, std::string_view concrete_path) const {
  concrete_path = concrete_path.substr(0, concrete_path.find_first_of("?#"));
  if (!concrete_path.starts_with("/")) return {};
  std::vector<std::string_view> parts = split_path(concrete_path);
  std::string m = lower(method);
  const detail::path_entry* best = nullptr;
  for (const detail::path_entry& p : model_->paths) {
    if (p.segments.size() != parts.size() || !p.item->contains(m) || !listed(http_methods, m)) continue;
    bool ok = true;
    for (std::size_t i = 0; ok && i < parts.size(); ++i) ok = segment_matches(p.segments[i], parts[i]);
    if (!ok) continue;
    if (!best) {
      best = &p;
      continue;
    }
    // The more specific segment at the first position where the two differ wins.
    for (std::size_t i = 0; i < parts.size(); ++i) {
      int a = rank(p.segments[i].k), b = rank(best->segments[i].k);
      if (a != b) {
        if (a > b) best = &p;
        break;
      }
    }
  }
  return best ? best->text : std::string();
}

}  // namespace ks::test
