#include "state_file.hpp"

#include <boost/json.hpp>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "record_render.hpp"
#include "time_format.hpp"
#include "uuid.hpp"
#include "value_codec.hpp"

namespace kizen_emulator {

namespace json = boost::json;

json::object dump_state(const store& s) {
  json::object objects, tags;
  const auto& defs = s.definitions();
  for (std::size_t oi = 0; oi < defs.objects.size(); ++oi) {
    json::array list;
    for (const record* r : s.records(oi)) list.push_back(render_state_record(s, *r));
    objects[defs.objects[oi].name] = std::move(list);
    for (const auto& f : defs.objects[oi].fields) {
      if (f.type != field_type::dynamictags) continue;
      json::array opts;
      for (const auto& o : s.options(oi, f.index)) opts.push_back(json::object{{"id", o.id}, {"name", o.name}});
      tags[defs.objects[oi].name + "." + f.name] = std::move(opts);
    }
  }
  return json::object{{"format", "kizen-emulator-state/1"}, {"objects", std::move(objects)}, {"tags", std::move(tags)}};
}

namespace {

ks::result<void, std::string> restore(store& s, const json::value& state) {
  using F = ks::failure<std::string>;
  if (!state.is_object()) return F{"expected a JSON object"};
  const auto& root = state.as_object();
  const auto& defs = s.definitions();
  if (const auto* tags = root.if_contains("tags"); tags && tags->is_object()) {
    for (const auto& [key, list] : tags->as_object()) {
      const std::string k(key);
      const auto dot = k.find('.');
      const auto* o = defs.object_by_name(k.substr(0, dot));
      const auto* f = o && dot != std::string::npos ? o->field_by_name(k.substr(dot + 1)) : nullptr;
      if (!f || f->type != field_type::dynamictags) return F{"tags." + k + ": no such dynamictags field in the schema"};
      if (!list.is_array()) return F{"tags." + k + ": expected a list"};
      const auto oi = defs.index_of(*o);
      for (const auto& item : list.as_array()) {
        const auto* id = item.is_object() ? item.as_object().if_contains("id") : nullptr;
        const auto* name = item.is_object() ? item.as_object().if_contains("name") : nullptr;
        if (!id || !name || !id->is_string() || !name->is_string() || !is_uuid(id->as_string()))
          return F{"tags." + k + ": expected {\"id\": uuid, \"name\": string} items"};
        if (!s.option_by_name(oi, f->index, name->as_string()) && !s.option_by_id(oi, f->index, id->as_string()))
          s.add_option(oi, f->index, std::string(name->as_string()), std::string(id->as_string()));
      }
    }
  }
  const auto* objects = root.if_contains("objects");
  if (!objects || !objects->is_object()) return F{"missing object \"objects\""};
  for (const auto& [name, list] : objects->as_object()) {
    const auto* o = defs.object_by_name(name);
    const std::string where = "objects." + std::string(name);
    if (!o) return F{where + ": object not in the schema"};
    if (!list.is_array()) return F{where + ": expected a list"};
    const auto oi = defs.index_of(*o);
    for (std::size_t i = 0; i < list.as_array().size(); ++i) {
      const std::string here = where + "[" + std::to_string(i) + "]";
      const auto& item = list.as_array()[i];
      if (!item.is_object()) return F{here + ": expected an object"};
      const auto& rec = item.as_object();
      auto text = [&](const char* key) -> std::string {
        const auto* v = rec.if_contains(key);
        return v && v->is_string() ? std::string(v->as_string()) : std::string();
      };
      const auto id = text("id");
      const auto created = parse_datetime(text("created"));
      const auto updated = parse_datetime(text("updated"));
      if (!is_uuid(id) || !created || !updated) return F{here + ": needs id, created and updated"};
      record* r = s.create_with_id(oi, id);
      if (!r) return F{here + ": duplicate id " + id};
      r->created_ms = *created;
      r->updated_ms = *updated;
      const auto* archived = rec.if_contains("archived");
      r->archived = archived && archived->is_bool() && archived->as_bool();
      if (const auto* fields = rec.if_contains("fields"); fields && fields->is_object()) {
        for (const auto& [fname, value] : fields->as_object()) {
          const auto* f = o->field_by_name(fname);
          if (!f || f->read_only()) return F{here + ".fields." + std::string(fname) + ": no such field"};
          auto v = parse_plain_value(s, *o, *f, value);
          if (!v) return F{here + ".fields." + std::string(fname) + ": " + v.error()};
          r->values[f->index] = std::move(v).value();
        }
      }
      s.reindex(*r);
    }
  }
  return ks::ok;
}

}  // namespace

ks::result<void, std::string> restore_state(store& s, const json::value& state) {
  s.clear();
  auto r = restore(s, state);
  if (!r) s.clear();
  return r;
}

ks::result<void, std::string> save_state_file(const store& s, const std::string& path) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) return ks::fail("cannot write " + tmp);
    out << json::serialize(dump_state(s)) << '\n';
    if (!out.flush()) return ks::fail("cannot write " + tmp);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) return ks::fail("cannot replace " + path);
  return ks::ok;
}

ks::result<bool, std::string> load_state_file(store& s, const std::string& path) {
  std::ifstream in(path);
  if (!in) return false;
  std::stringstream text;
  text << in.rdbuf();
  boost::system::error_code ec;
  const auto value = json::parse(text.str(), ec);
  if (ec) return ks::fail(path + ": not JSON (" + ec.message() + ")");
  auto r = restore_state(s, value);
  if (!r) return ks::fail(path + ": " + r.error());
  return true;
}

}  // namespace kizen_emulator
