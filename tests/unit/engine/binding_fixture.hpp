#pragma once
// A contacts-like object mapping bound to fields shaped like the emulator's default schema.

#include "daemon/engine/field_binding.hpp"

#include <gtest/gtest.h>

namespace ks::engine::testing {

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
  return m;
}

inline std::vector<kizen_field> contact_fields() {
  return {
      {"f0000000-0000-4000-8000-000000000001", "email", "email", true, {}, {}, {}},
      {"f0000000-0000-4000-8000-000000000002", "first_name", "text", true, {}, {}, {}},
      {"f0000000-0000-4000-8000-000000000003", "company", "relationship", false, {}, "companies", false},
      {"f0000000-0000-4000-8000-000000000004", "tags", "dynamictags", false,
       {{"a0000000-0000-4000-8000-000000000001", "vip"}}, {}, {}},
      {"f0000000-0000-4000-8000-000000000005", "lead_score", "integer", false, {}, {}, {}},
      {"f0000000-0000-4000-8000-000000000006", "stage", "dropdown", false,
       {{"b0000000-0000-4000-8000-000000000001", "Lead"}, {"b0000000-0000-4000-8000-000000000002", "Customer"}},
       {}, {}},
      {"f0000000-0000-4000-8000-000000000007", "birthday", "date", false, {}, {}, {}},
      {"f0000000-0000-4000-8000-000000000008", "last_contacted", "datetime", false, {}, {}, {}},
      {"f0000000-0000-4000-8000-000000000009", "lifetime_value", "money", false, {}, {}, {}},
      {"f0000000-0000-4000-8000-00000000000a", "newsletter", "checkbox", false, {}, {}, {}},
      {"f0000000-0000-4000-8000-00000000000b", "external_id", "text", false, {}, {}, {}},
      {"f0000000-0000-4000-8000-00000000000c", "files", "files", false, {}, {}, {}},
  };
}

// Owns the mapping so the binding's pointers stay valid.
struct bound_contacts {
  config::object_mapping mapping = contacts_mapping();
  object_binding binding;
  bound_contacts() {
    auto r = bind_object(mapping, "c0000000-0000-4000-8000-000000000000", contact_fields());
    if (!r) ADD_FAILURE() << r.error().front().to_string();
    else binding = std::move(*r);
  }
  const field_binding& field(const std::string& column) const { return *binding.for_column(column); }
};

}  // namespace ks::engine::testing
