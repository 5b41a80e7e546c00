#include "state_file.hpp"

#include <boost/json.hpp>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "time_format.hpp"
#include "value_codec.hpp"

namespace kintone_emulator {

namespace json = boost::json;

namespace {

using F = ks::failure<std::string>;

user_ref user_of(const json::value& v) {
  const auto& o = v.as_object();
  return {std::string(o.at("code").as_string()), std::string(o.at("name").as_string())};
}

}  // namespace

json::object dump_state(const store& s) {
  json::object apps;
  for (const auto& a : s.definitions().apps) {
    json::array list;
    for (const auto& [id, r] : s.records(a.id))
      list.push_back(json::object{{"id", id},
                                  {"revision", r.revision},
                                  {"created", format_datetime(r.created_ms)},
                                  {"updated", format_datetime(r.updated_ms)},
                                  {"creator", r.creator.to_json()},
                                  {"modifier", r.modifier.to_json()},
                                  {"values", r.values}});
    apps[std::to_string(a.id)] = json::object{{"next_id", s.next_id(a.id)}, {"records", std::move(list)}};
  }
  return json::object{
      {"format", "kintone-emulator-state/1"}, {"next_row_id", s.next_row_id()}, {"apps", std::move(apps)}};
}

ks::result<void, std::string> restore_state(store& s, const json::value& state) {
  try {
    const auto& root = state.as_object();
    if (root.at("format") != "kintone-emulator-state/1") return F{"format: expected kintone-emulator-state/1"};
    s.clear();
    s.set_next_row_id(root.at("next_row_id").as_int64());
    for (const auto& [key, data] : root.at("apps").as_object()) {
      const auto* app = s.definitions().app(std::stoll(std::string(key)));
      if (!app) return F{"apps." + std::string(key) + ": no such app in the schema"};
      for (const auto& item : data.at("records").as_array()) {
        const auto& o = item.as_object();
        stored_record r;
        r.id = o.at("id").as_int64();
        r.revision = o.at("revision").as_int64();
        const auto created = parse_datetime(o.at("created").as_string());
        const auto updated = parse_datetime(o.at("updated").as_string());
        if (!created || !updated) return F{"record " + std::to_string(r.id) + ": bad time"};
        r.created_ms = *created;
        r.updated_ms = *updated;
        r.creator = user_of(o.at("creator"));
        r.modifier = user_of(o.at("modifier"));
        // Fields added to the schema since the save start blank; removed ones are dropped.
        for (const auto& f : app->fields) {
          if (is_system(f.type)) continue;
          const auto* v = o.at("values").as_object().if_contains(f.code);
          r.values[f.code] = v ? *v : blank_value(f);
        }
        s.records(app->id)[r.id] = std::move(r);
      }
      s.set_next_id(app->id, data.at("next_id").as_int64());
    }
    return ks::ok;
  } catch (const std::exception& e) {
    s.clear();
    return F{std::string("malformed state: ") + e.what()};
  }
}

ks::result<bool, std::string> load_state_file(store& s, const std::string& path) {
  std::ifstream in(path);
  if (!in) return false;
  std::stringstream buffer;
  buffer << in.rdbuf();
  boost::system::error_code ec;
  const auto v = json::parse(buffer.str(), ec);
  if (ec) return F{path + ": not JSON (" + ec.message() + ")"};
  if (auto r = restore_state(s, v); !r) return F{path + ": " + r.error()};
  return true;
}

ks::result<void, std::string> save_state_file(const store& s, const std::string& path) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) return F{"cannot write " + tmp};
    out << json::serialize(dump_state(s));
    if (!out.flush()) return F{"cannot write " + tmp};
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) return F{"cannot rename " + tmp + " to " + path};
  return ks::ok;
}

}  // namespace kintone_emulator
