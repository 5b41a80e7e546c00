#include "config/config_validator.hpp"

#include <map>
#include <set>

#include "config/key_suggestion.hpp"

namespace ks::config {

namespace {

// True when a field owned in direction `field` fits an object synced in direction `object`.
bool fits(sync_direction object, sync_direction field) { return object == sync_direction::both || object == field; }

std::string qualified(const object_mapping& m) { return m.table_schema + "." + m.table; }

std::string line_of(const source_location& l) {
  return l.line > 0 ? " (line " + std::to_string(l.line) + ")" : std::string();
}

class validator {
 public:
  validator(config& c, const source_map& where, std::vector<problem>& out) : c_(c), where_(where), out_(out) {}

  void run() {
    if (!c_.kizen.tls_verify) {
      warning("kizen.tls_verify",
              "kizen.tls_verify is false: Kizen's TLS certificate and host name are NOT "
              "verified, so anyone on the network path can read the API key; use only for tests");
    }
    check_objects_and_tables();
    for (std::size_t i = 0; i < c_.objects.size(); ++i) check_object(i);
  }

 private:
  void error(const std::string& path, std::string message) {
    out_.push_back({where_.find(path), std::move(message), severity::error});
  }
  void warning(const std::string& path, std::string message) {
    out_.push_back({where_.find(path), std::move(message), severity::warning});
  }

  void check_objects_and_tables() {
    std::map<std::string, std::size_t> objects;
    std::map<std::pair<std::string, std::string>, std::size_t> tables;
    for (std::size_t i = 0; i < c_.objects.size(); ++i) {
      const object_mapping& m = c_.objects[i];
      const std::string path = object_path(i);
      if (!m.object.empty()) {
        if (auto [it, inserted] = objects.emplace(m.object, i); !inserted) {
          error(path + ".object", "duplicate object '" + m.object + "': already mapped by " + object_path(it->second) +
                                      line_of(where_.find(object_path(it->second))));
        }
      }
      if (m.table.empty()) continue;
      if (auto [it, inserted] = tables.emplace(std::pair{m.table_schema, m.table}, i); !inserted) {
        error(path + ".table", "table " + qualified(m) + " is mapped twice: already by " + object_path(it->second) +
                                   line_of(where_.find(object_path(it->second))) + "; map each table once");
      }
      if (!c_.postgres.schema.empty() && m.table_schema == c_.postgres.schema) {
        error(path + ".table", "table " + qualified(m) + " is in schema '" + c_.postgres.schema +
                                   "', which postgres.schema reserves for the daemon's own "
                                   "tables; use another schema for one of them");
      }
    }
  }

  void check_object(std::size_t i) {
    object_mapping& m = c_.objects[i];
    const std::string path = object_path(i);
    const std::string name = m.object.empty() ? path : path + " (" + m.object + ")";

    std::map<std::string, std::size_t> columns;
    std::map<std::string, std::size_t> kizen_fields;
    bool columns_complete = true;  // false when a column could not be read (already reported)
    for (std::size_t j = 0; j < m.fields.size(); ++j) {
      field_mapping& f = m.fields[j];
      const std::string fpath = field_path(i, j);
      if (f.column.empty()) columns_complete = false;
      if (!f.column.empty()) {
        if (auto [it, inserted] = columns.emplace(f.column, j); !inserted) {
          error(fpath + ".column", "column '" + f.column + "' is mapped twice in " + name + ": already by fields[" +
                                       std::to_string(it->second) + "]");
        }
      }
      if (!f.field.empty()) {
        if (auto [it, inserted] = kizen_fields.emplace(f.field, j); !inserted) {
          error(fpath + ".field", "Kizen field '" + f.field + "' is mapped twice in " + name + ": already by fields[" +
                                      std::to_string(it->second) + "]");
        }
      }
      if (!fits(m.direction, f.direction)) {
        error(fpath + ".direction", fpath + ".direction " + to_string(f.direction) +
                                        " is wider than its object's "
                                        "direction " +
                                        to_string(m.direction) + "; a field can only narrow it");
      }
      if (f.references) resolve_reference(f, fpath);
    }

    if (m.lookup && !m.lookup->empty() && columns_complete && !m.fields.empty() && !columns.contains(*m.lookup)) {
      error(path + ".lookup", path + ".lookup '" + *m.lookup +
                                  "' is not among the mapped "
                                  "columns of " +
                                  name +
                                  "; the lookup value is sent to Kizen, "
                                  "so map the column to a field");
    }
    if (m.entity_id_column && !m.entity_id_column->empty()) {
      const std::string& e = *m.entity_id_column;
      if (!m.key.empty() && e == m.key) {
        error(path + ".entity_id_column", path + ".entity_id_column '" + e +
                                              "' is the key column too; the Kizen record id "
                                              "needs a column of its own");
      } else if (auto it = columns.find(e); it != columns.end()) {
        error(path + ".entity_id_column", path + ".entity_id_column '" + e + "' is also a mapped column (fields[" +
                                              std::to_string(it->second) +
                                              "]); the daemon writes the record id there "
                                              "itself, so remove that field");
      }
    }
    check_key_field(m, path, "match_field", m.match_field, kizen_fields);
    check_key_field(m, path, "key_field", m.key_field, kizen_fields);

    // An object whose name could not be read is already reported; its warnings would be noise.
    if (m.object.empty()) return;
    const bool no_identity = !m.entity_id_column && !m.key_field;
    if (no_identity && m.direction == sync_direction::from_kizen) {
      error(path + ".direction", name +
                                     " syncs from_kizen but has neither entity_id_column nor key_field, so no "
                                     "record pulled from Kizen could ever be stored; set one of them");
    } else if (no_identity && m.direction == sync_direction::both) {
      warning(path, name +
                        " has neither entity_id_column nor key_field: records created in "
                        "Kizen cannot be inserted into the table (only updates to known rows "
                        "arrive)");
    }
    if (!m.lookup && !m.match_field && m.direction != sync_direction::from_kizen) {
      warning(path, name +
                        " has neither lookup nor match_field: new rows are created in Kizen "
                        "with add, guarded against duplicates only by the identity map");
    }
  }

  // match_field / key_field carry our key into Kizen; another column mapped to the same Kizen
  // field would fight over it.
  void check_key_field(const object_mapping& m, const std::string& path, const char* what,
                       const std::optional<std::string>& kizen_field,
                       const std::map<std::string, std::size_t>& kizen_fields) {
    if (!kizen_field || kizen_field->empty()) return;
    auto it = kizen_fields.find(*kizen_field);
    if (it == kizen_fields.end()) return;
    const field_mapping& f = m.fields[it->second];
    if (f.column.empty() || f.column == m.key) return;
    error(path + "." + what, path + "." + what + " '" + *kizen_field +
                                 "' is also the field of "
                                 "column '" +
                                 f.column + "' (fields[" + std::to_string(it->second) +
                                 "]), but it must hold the key "
                                 "column '" +
                                 m.key + "'");
  }

  // `references` names another mapping's object, or its table (schema.name or name).
  void resolve_reference(field_mapping& f, const std::string& fpath) {
    const std::string& r = *f.references;
    for (const object_mapping& o : c_.objects) {
      if (!o.object.empty() && o.object == r) return;
    }
    std::vector<const object_mapping*> by_table;
    const std::size_t dot = r.find('.');
    for (const object_mapping& o : c_.objects) {
      if (o.table.empty() || o.object.empty()) continue;
      const bool match = dot == std::string::npos ? o.table == r : qualified(o) == r;
      if (match) by_table.push_back(&o);
    }
    if (by_table.size() == 1) {
      f.references = by_table.front()->object;
      return;
    }
    if (by_table.size() > 1) {
      std::string list;
      for (const object_mapping* o : by_table) {
        list += (list.empty() ? "" : ", ") + qualified(*o) + " (" + o->object + ")";
      }
      error(fpath + ".references", fpath + ".references '" + r +
                                       "' matches the tables of "
                                       "several objects: " +
                                       list + "; name the object instead");
      return;
    }
    std::vector<std::string_view> names;
    std::string list;
    for (const object_mapping& o : c_.objects) {
      if (o.object.empty()) continue;
      names.push_back(o.object);
      list += (list.empty() ? "" : ", ") + o.object;
    }
    std::string msg = fpath + ".references '" + r + "' is not a configured object (configured: " + list + ")";
    if (auto best = closest_match(r, names)) msg += "; did you mean '" + *best + "'?";
    error(fpath + ".references", std::move(msg));
  }

  config& c_;
  const source_map& where_;
  std::vector<problem>& out_;
};

}  // namespace

void validate_config(config& c, const source_map& where, std::vector<problem>& problems) {
  validator(c, where, problems).run();
}

}  // namespace ks::config
