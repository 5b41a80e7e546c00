#pragma once
// Object mappings bound to fields shaped like the emulator's default schema, covering every value
// kind the inbound sync reads: contacts (scalars, a dropdown, tags, a to-one relationship, a
// Kizen-owned and a database-owned field) and companies (a to-many relationship, key_field).

#include "connectors/kizen/record.hpp"
#include "daemon/engine/field_binding.hpp"

#include <boost/json/parse.hpp>
#include <cstdio>
#include <gtest/gtest.h>
#include <string>
#include <vector>

namespace ks::engine::inbound_testing {

inline config::field_mapping mapped(std::string column, std::string field,
                                    config::sync_direction d = config::sync_direction::both) {
  config::field_mapping f;
  f.column = std::move(column);
  f.field = std::move(field);
  f.direction = d;
  f.where = {"sync.yaml", 20, 9};
  return f;
}

inline config::object_mapping contacts_mapping() {
  config::object_mapping m;
  m.object = "client_client";
  m.table = "contacts";
  m.key = "id";
  m.entity_id_column = "kizen_id";
  m.lookup = "email";
  m.where = {"sync.yaml", 10, 5};
  m.fields = {mapped("email", "email"),
              mapped("first_name", "first_name"),
              mapped("company_id", "company"),
              mapped("tags", "tags"),
              mapped("score", "lead_score", config::sync_direction::from_kizen),
              mapped("stage", "stage"),
              mapped("birthday", "birthday"),
              mapped("last_contacted", "last_contacted"),
              mapped("ltv", "lifetime_value"),
              mapped("discount", "discount_rate"),
              mapped("newsletter", "newsletter"),
              mapped("notes", "external_id", config::sync_direction::to_kizen)};
  m.fields[2].references = "companies";
  m.fields[3].multi = true;
  return m;
}

// Field ids: f1xx for contacts, f2xx for companies (any UUIDs do; the translator matches by id
// first, then by name).
inline std::string fid(int n) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "f0000000-0000-4000-8000-%012d", n);
  return buf;
}

inline std::vector<kizen_field> contact_fields() {
  return {
      {fid(101), "email", "email", true, {}, {}, {}},
      {fid(102), "first_name", "text", true, {}, {}, {}},
      {fid(103), "company", "relationship", false, {}, "companies", false},
      {fid(104), "tags", "dynamictags", false, {{"a0000000-0000-4000-8000-000000000001", "vip"}}, {}, {}},
      {fid(105), "lead_score", "integer", false, {}, {}, {}},
      {fid(106), "stage", "dropdown", false,
       {{"b0000000-0000-4000-8000-000000000001", "Lead"}, {"b0000000-0000-4000-8000-000000000002", "Customer"}},
       {}, {}},
      {fid(107), "birthday", "date", false, {}, {}, {}},
      {fid(108), "last_contacted", "datetime", false, {}, {}, {}},
      {fid(109), "lifetime_value", "money", false, {}, {}, {}},
      {fid(110), "discount_rate", "decimal", false, {}, {}, {}},
      {fid(111), "newsletter", "checkbox", false, {}, {}, {}},
      {fid(112), "external_id", "text", false, {}, {}, {}},
  };
}

inline config::object_mapping companies_mapping() {
  config::object_mapping m;
  m.object = "companies";
  m.table = "companies";
  m.key = "id";
  m.lookup = "name";
  m.key_field = "external_id";
  m.where = {"sync.yaml", 40, 5};
  m.fields = {mapped("name", "name"), mapped("employees", "employees"), mapped("contact_ids", "contacts")};
  m.fields[2].references = "client_client";
  m.fields[2].multi = true;
  return m;
}

inline std::vector<kizen_field> company_fields() {
  return {
      {fid(201), "name", "text", true, {}, {}, {}},
      {fid(202), "employees", "integer", false, {}, {}, {}},
      {fid(203), "contacts", "relationship", false, {}, "client_client", true},
      {fid(204), "external_id", "text", false, {}, {}, {}},
  };
}

// Owns the mapping so the binding's pointers stay valid.
struct bound_object {
  config::object_mapping mapping;
  object_binding binding;
  bound_object(config::object_mapping m, const std::vector<kizen_field>& fields) : mapping(std::move(m)) {
    auto r = bind_object(mapping, "c0000000-0000-4000-8000-000000000000", fields);
    if (!r) ADD_FAILURE() << r.error().front().to_string();
    else binding = std::move(*r);
  }
  bound_object(const bound_object&) = delete;
};

// A record with the given fields: {name: JSON value text}. Field ids come from `fields`.
inline kizen::record make_record(const std::string& id, const std::vector<kizen_field>& fields,
                                 const std::vector<std::pair<std::string, std::string>>& values) {
  kizen::record r;
  r.id = id;
  for (const auto& [name, json_text] : values) {
    kizen::record_field f;
    f.name = name;
    for (const auto& k : fields)
      if (k.name == name) {
        f.id = k.id;
        f.field_type = k.type;
      }
    f.value = boost::json::parse(json_text);
    r.fields.push_back(std::move(f));
  }
  return r;
}

}  // namespace ks::engine::inbound_testing
