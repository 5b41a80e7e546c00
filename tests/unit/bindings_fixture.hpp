#pragma once
// The object mappings of the engine's unit tests, bound to fields shaped like the emulator's
// default schema, covering every value kind: contacts (scalars, a dropdown, tags, a to-one
// relationship, a Kizen-owned and a database-owned field) and companies (a to-many relationship,
// key_field). One fixture for every pure part of the engine (mapping, outbound, inbound).

#include "connectors/kizen/record.hpp"
#include "daemon/engine/mapping/field_binding.hpp"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>
#include <cstdio>
#include <string>
#include <vector>

namespace ks::engine::testing {

// Field ids: f...0xx for contacts, f...2xx for companies (any UUIDs do; the translator matches
// by id first, then by name).
inline std::string fid(int n) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "f0000000-0000-4000-8000-%012d", n);
  return buf;
}

inline config::object_mapping contacts_mapping() {
  config::object_mapping m;
  m.object = "client_client";
  m.table = "customers";
  m.key = "id";
  m.entity_id_column = "kizen_id";
  m.lookup = "email";
  m.where = {"sync.yaml", 10, 5};
  auto field = [&](std::string column, std::string name) {
    config::field_mapping f;
    f.column = std::move(column);
    f.field = std::move(name);
    f.where = {"sync.yaml", 12 + static_cast<int>(m.fields.size()), 9};
    m.fields.push_back(f);
    return &m.fields.back();
  };
  field("email", "email");
  field("first_name", "first_name");
  field("company_id", "company")->references = "companies";
  field("tags", "tags")->multi = true;
  field("score", "lead_score")->direction = config::sync_direction::from_kizen;
  field("stage", "stage");
  field("birthday", "birthday");
  field("last_contacted", "last_contacted");
  field("ltv", "lifetime_value");
  field("newsletter", "newsletter");
  field("discount", "discount_rate");
  field("notes", "notes")->direction = config::sync_direction::to_kizen;
  return m;
}

inline std::vector<kizen_field> contact_fields() {
  return {
      {fid(1), "email", "email", true, {}, {}, {}},
      {fid(2), "first_name", "text", true, {}, {}, {}},
      {fid(3), "company", "relationship", false, {}, "companies", false},
      {fid(4), "tags", "dynamictags", false, {{"a0000000-0000-4000-8000-000000000001", "vip"}}, {}, {}},
      {fid(5), "lead_score", "integer", false, {}, {}, {}},
      {fid(6),
       "stage",
       "dropdown",
       false,
       {{"b0000000-0000-4000-8000-000000000001", "Lead"}, {"b0000000-0000-4000-8000-000000000002", "Customer"}},
       {},
       {}},
      {fid(7), "birthday", "date", false, {}, {}, {}},
      {fid(8), "last_contacted", "datetime", false, {}, {}, {}},
      {fid(9), "lifetime_value", "money", false, {}, {}, {}},
      {fid(10), "newsletter", "checkbox", false, {}, {}, {}},
      {fid(11), "external_id", "text", false, {}, {}, {}},
      {fid(12), "files", "files", false, {}, {}, {}},
      {fid(13), "discount_rate", "decimal", false, {}, {}, {}},
      {fid(14), "notes", "longtext", false, {}, {}, {}},
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
  auto field = [&](std::string column, std::string name) {
    config::field_mapping f;
    f.column = std::move(column);
    f.field = std::move(name);
    f.where = {"sync.yaml", 42 + static_cast<int>(m.fields.size()), 9};
    m.fields.push_back(f);
    return &m.fields.back();
  };
  field("name", "name");
  field("employees", "employees");
  auto* contacts = field("contact_ids", "contacts");
  contacts->references = "client_client";
  contacts->multi = true;
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
    if (!r)
      ADD_FAILURE() << r.error().front().to_string();
    else
      binding = std::move(*r);
  }
  bound_object(const bound_object&) = delete;
  const field_binding& field(const std::string& column) const { return *binding.for_column(column); }
};

struct bound_contacts : bound_object {
  bound_contacts() : bound_object(contacts_mapping(), contact_fields()) {}
};
struct bound_companies : bound_object {
  bound_companies() : bound_object(companies_mapping(), company_fields()) {}
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

}  // namespace ks::engine::testing
