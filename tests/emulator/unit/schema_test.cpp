#include <gtest/gtest.h>

#include "src/schema.hpp"

namespace kizen_emulator {
namespace {

TEST(emulator_schema_loading, default_schema_has_the_three_objects_and_every_field_type) {
  auto s = load_schema_file(KIZEN_EMULATOR_DEFAULT_SCHEMA);
  ASSERT_TRUE(s) << s.error();
  const auto* contacts = s->object_by_name("client_client");
  ASSERT_NE(contacts, nullptr);
  EXPECT_EQ(contacts->identity, "email");
  EXPECT_EQ(contacts->id, "3ceaaf30-8142-48ea-91d9-3080f9b439fc");
  EXPECT_EQ(s->object_by_name("companies")->identity, "name");
  std::set<field_type> types;
  for (const auto& o : s->objects)
    for (const auto& f : o.fields) types.insert(f.type);
  EXPECT_EQ(types.size(), 11u);
  const auto* company = contacts->field_by_name("company");
  EXPECT_EQ(company->card, cardinality::to_one);
  EXPECT_EQ(s->objects[company->target_object].name, "companies");
  EXPECT_TRUE(s->object_by_name("companies")->field_by_name("contacts")->to_many());
  EXPECT_EQ(contacts->field_by_name("updated")->timestamp, timestamp_field::updated);
  EXPECT_EQ(contacts->field_by_id(contacts->field_by_name("email")->id), contacts->field_by_name("email"));
  EXPECT_EQ(s->object_by_id("3CEAAF30-8142-48EA-91D9-3080F9B439FC"), contacts);
}

TEST(emulator_schema_loading, minimal_objects_get_ids_and_timestamps) {
  auto s = load_schema_text("objects:\n  - name: widgets\n    fields:\n      - {name: name, type: text}\n", "test");
  ASSERT_TRUE(s) << s.error();
  const auto& w = s->objects.at(0);
  EXPECT_EQ(w.identity, "name");
  EXPECT_NE(w.field_by_name("created"), nullptr);
  EXPECT_NE(w.field_by_name("updated"), nullptr);
  auto again = load_schema_text("objects:\n  - name: widgets\n    fields:\n      - {name: name, type: text}\n", "test");
  EXPECT_EQ(again->objects.at(0).id, w.id);  // stable across loads
}

TEST(emulator_schema_loading, errors_name_the_place) {
  struct bad {
    const char* yaml;
    const char* expected;
  };
  const bad cases[] = {
      {"objects: []", "non-empty list"},
      {"objects:\n  - name: x\n    fields:\n      - {name: a, type: nonsense}\n", "objects[0].fields[0].type"},
      {"objects:\n  - name: x\n    fields:\n      - {name: name, type: text, colour: red}\n", "unknown key 'colour'"},
      {"objects:\n  - name: x\n    fields:\n      - {name: name, type: dropdown}\n", "needs options"},
      {"objects:\n  - name: x\n    fields:\n      - {name: name, type: text}\n      - {name: r, type: relationship, "
       "target: y, cardinality: to_one}\n",
       "target object 'y'"},
      {"objects:\n  - name: x\n    identity: code\n    fields:\n      - {name: name, type: text}\n",
       "no field named 'code'"},
      {"objects:\n  - name: x\n    fields:\n      - {name: name, type: text, id: nope}\n", "is not a UUID"},
      {"objects:\n  - name: x\n    fields:\n      - {name: name, type: text}\n      - {name: name, type: text}\n",
       "duplicate field"},
      {"objects: [", "test"},
  };
  for (const auto& c : cases) {
    auto s = load_schema_text(c.yaml, "test");
    ASSERT_FALSE(s) << c.yaml;
    EXPECT_NE(s.error().find(c.expected), std::string::npos) << s.error();
  }
}

}  // namespace
}  // namespace kizen_emulator
