#include "record_builder.hpp"

#include <boost/json.hpp>

#include "time_format.hpp"
#include "value_codec.hpp"

namespace kintone_emulator {

namespace json = boost::json;

namespace {

std::string dot_key(const std::string& prefix, const std::string& code) { return prefix + "." + code + ".value"; }
std::string bracket_key(const std::string& prefix, const std::string& code) { return prefix + "[" + code + "].value"; }

// Records a value problem; returns a request-level error for unknown users.
std::optional<api_error> report(const value_problem& p, const std::string& prefix, const std::string& code,
                                std::vector<field_message>& problems) {
  switch (p.kind) {
    case value_problem::not_a_number: problems.push_back({bracket_key(prefix, code), errors::not_a_number()}); break;
    case value_problem::bad_date: problems.push_back({bracket_key(prefix, code), errors::bad_date()}); break;
    case value_problem::bad_datetime: problems.push_back({bracket_key(prefix, code), errors::bad_datetime()}); break;
    case value_problem::bad_value: problems.push_back({bracket_key(prefix, code), errors::bad_value()}); break;
    case value_problem::not_an_option:
      problems.push_back({dot_key(prefix, code), errors::not_an_option(p.detail)});
      break;
    case value_problem::unknown_user: return errors::user_not_found(p.detail);
  }
  return std::nullopt;
}

const json::value* value_of(const json::value& entry) {
  return entry.is_object() ? entry.get_object().if_contains("value") : nullptr;
}

}  // namespace

json::object record_builder::initial_values() const {
  json::object values;
  for (const auto& f : app_.fields) {
    if (is_system(f.type)) continue;
    values[f.code] = blank_value(f);
    if (f.default_value && f.type != field_type::subtable) {
      auto d = normalise_value(f, *f.default_value, directory_);
      if (d) values[f.code] = std::move(d).value();
    }
  }
  return values;
}

std::optional<api_error> record_builder::apply(stored_record& r, const json::value& written, const std::string& prefix,
                                               bool adding, std::vector<field_message>& problems) const {
  if (written.is_null()) return std::nullopt;
  if (!written.is_object()) {
    problems.push_back({prefix, errors::bad_value()});
    return std::nullopt;
  }
  for (const auto& [code_view, entry] : written.get_object()) {
    const std::string code(code_view);
    const auto* f = app_.field(code);
    if (!f) continue;  // Kintone ignores unknown field codes
    const auto* v = value_of(entry);
    if (!v) {
      problems.push_back({bracket_key(prefix, code), errors::bad_value()});
      continue;
    }
    if (is_system(f->type)) {
      if (auto e = apply_system(r, *f, *v, prefix, adding, problems)) return e;
      continue;
    }
    if (f->type == field_type::subtable) {
      if (auto e = apply_subtable(r, *f, *v, prefix, problems)) return e;
      continue;
    }
    auto normalised = normalise_value(*f, *v, directory_);
    if (!normalised) {
      if (auto e = report(normalised.error(), prefix, code, problems)) return e;
      continue;
    }
    r.values[code] = std::move(normalised).value();
  }
  return std::nullopt;
}

std::optional<api_error> record_builder::apply_system(stored_record& r, const field_def& f, const json::value& v,
                                                      const std::string& prefix, bool adding,
                                                      std::vector<field_message>& problems) const {
  const bool settable = f.type == field_type::creator || f.type == field_type::modifier ||
                        f.type == field_type::created_time || f.type == field_type::updated_time;
  if (!adding || !settable) {
    problems.push_back({bracket_key(prefix, f.code), errors::not_updatable()});
    return std::nullopt;
  }
  if (!who_.may_set_system) return who_.denied;
  if (f.type == field_type::creator || f.type == field_type::modifier) {
    const auto* code = v.is_object() ? v.get_object().if_contains("code") : nullptr;
    if (!code || !code->is_string()) {
      problems.push_back({bracket_key(prefix, f.code), errors::bad_value()});
      return std::nullopt;
    }
    const auto* u = directory_.user(code->get_string());
    if (!u) return errors::user_not_found(std::string(code->get_string()));
    (f.type == field_type::creator ? r.creator : r.modifier) = {u->login, u->name};
    return std::nullopt;
  }
  const auto ms = v.is_string() ? parse_datetime(v.get_string()) : std::nullopt;
  if (!ms) {
    problems.push_back({bracket_key(prefix, f.code), errors::bad_datetime()});
    return std::nullopt;
  }
  (f.type == field_type::created_time ? r.created_ms : r.updated_ms) = truncate_to_minute(*ms);
  return std::nullopt;
}

std::optional<api_error> record_builder::apply_subtable(stored_record& r, const field_def& table, const json::value& v,
                                                        const std::string& prefix,
                                                        std::vector<field_message>& problems) const {
  if (!v.is_array()) {
    problems.push_back({bracket_key(prefix, table.code), errors::bad_value()});
    return std::nullopt;
  }
  const json::array old_rows = r.values[table.code].is_array() ? r.values[table.code].get_array() : json::array{};
  json::array rows;
  std::size_t index = 0;
  for (const auto& row : v.get_array()) {
    const std::string row_prefix = prefix + "." + table.code + ".value[" + std::to_string(index++) + "].value";
    const auto* cells = row.is_object() ? row.get_object().if_contains("value") : nullptr;
    if (!cells || !cells->is_object()) {
      problems.push_back({bracket_key(prefix, table.code), errors::bad_value()});
      continue;
    }
    // A row that names one of the table's rows keeps its id and the cells it does not send.
    const json::object* old = nullptr;
    std::string id;
    if (const auto* rid = row.get_object().if_contains("id")) {
      const std::string wanted = rid->is_string()  ? std::string(rid->get_string())
                                 : rid->is_int64() ? std::to_string(rid->get_int64())
                                                   : std::string();
      for (const auto& o : old_rows)
        if (o.get_object().at("id").get_string() == wanted) {
          old = &o.get_object().at("value").get_object();
          id = wanted;
        }
    }
    if (id.empty()) id = std::to_string(store_.take_row_id());
    json::object out_cells;
    for (const auto& col : table.fields) {
      json::value value = old && old->contains(col.code) ? old->at(col.code).at("value") : blank_value(col);
      if (const auto* entry = cells->get_object().if_contains(col.code)) {
        const auto* written = value_of(*entry);
        auto normalised =
            written ? normalise_value(col, *written, directory_)
                    : ks::result<json::value, value_problem>(ks::fail(value_problem{value_problem::bad_value, {}}));
        if (!normalised) {
          if (auto e = report(normalised.error(), row_prefix, col.code, problems)) return e;
        } else {
          value = std::move(normalised).value();
        }
      }
      out_cells[col.code] = json::object{{"type", type_name(col.type)}, {"value", std::move(value)}};
    }
    rows.push_back(json::object{{"id", id}, {"value", std::move(out_cells)}});
  }
  r.values[table.code] = std::move(rows);
  return std::nullopt;
}

void record_builder::check_required(const stored_record& r, const std::string& prefix,
                                    std::vector<field_message>& problems) const {
  for (const auto& f : app_.fields) {
    if (!f.required || is_system(f.type)) continue;
    const auto* v = r.values.if_contains(f.code);
    if (!v || is_blank(*v)) problems.push_back({dot_key(prefix, f.code), errors::required()});
  }
}

}  // namespace kintone_emulator
