#include "tests/unit/bindings_fixture.hpp"

using namespace ks::engine;
using namespace ks::engine::testing;

TEST(field_binding, binds_every_mapped_field_with_its_kind) {
  bound_contacts c;
  ASSERT_EQ(c.binding.fields.size(), c.mapping.fields.size());
  EXPECT_EQ(c.field("email").kind, value_kind::text);
  EXPECT_EQ(c.field("company_id").kind, value_kind::relationship_one);
  EXPECT_EQ(c.field("tags").kind, value_kind::options);
  EXPECT_EQ(c.field("score").kind, value_kind::integer);
  EXPECT_EQ(c.field("stage").kind, value_kind::option);
  EXPECT_EQ(c.field("ltv").kind, value_kind::decimal);
  EXPECT_EQ(c.field("newsletter").kind, value_kind::boolean);
  EXPECT_EQ(c.field("company_id").field.id, "f0000000-0000-4000-8000-000000000003");
  EXPECT_FALSE(c.field("score").sends());
  EXPECT_TRUE(c.field("score").receives());
}

TEST(field_binding, a_field_kizen_lacks_is_an_error_naming_the_place) {
  auto m = contacts_mapping();
  m.fields[1].field = "first_nmae";
  auto r = bind_object(m, "x", contact_fields());
  ASSERT_FALSE(r);
  ASSERT_EQ(r.error().size(), 1u);
  EXPECT_EQ(r.error()[0].to_string(),
            "sync.yaml:13:9: object 'client_client': Kizen has no field 'first_nmae' (column 'first_name')");
}

TEST(field_binding, every_problem_is_reported) {
  auto m = contacts_mapping();
  m.fields[0].field = "nope";      // missing
  m.fields[2].references.reset();  // relationship without references
  m.fields[5].multi = true;        // dropdown is single-valued
  m.match_field = "missing_match";
  ks::config::field_mapping files;
  files.column = "attachments";
  files.field = "files";
  m.fields.push_back(files);  // unsupported type
  auto r = bind_object(m, "x", contact_fields());
  ASSERT_FALSE(r);
  ASSERT_EQ(r.error().size(), 5u);
  EXPECT_NE(r.error()[1].message.find("needs `references"), std::string::npos);
  EXPECT_NE(r.error()[2].message.find("holds one value"), std::string::npos);
  EXPECT_NE(r.error()[3].message.find("cannot carry"), std::string::npos);
  EXPECT_NE(r.error()[4].message.find("match_field 'missing_match'"), std::string::npos);
}

TEST(field_binding, references_must_match_the_relationship_target) {
  auto m = contacts_mapping();
  m.fields[2].references = "deals";
  auto r = bind_object(m, "x", contact_fields());
  ASSERT_FALSE(r);
  EXPECT_NE(r.error()[0].message.find("relates to 'companies' in Kizen"), std::string::npos);
}

TEST(field_binding, type_override_and_to_many_from_metadata) {
  auto m = contacts_mapping();
  m.fields[1].type = "integer";  // explicit type wins
  auto fields = contact_fields();
  fields[2].to_many = true;  // metadata says to-many even without multi: true
  auto r = bind_object(m, "x", fields);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->for_column("first_name")->kind, value_kind::integer);
  EXPECT_EQ(r->for_column("company_id")->kind, value_kind::relationship_many);
}

TEST(field_binding, multi_on_a_to_one_relationship_is_an_error) {
  auto m = contacts_mapping();
  m.fields[2].multi = true;
  auto r = bind_object(m, "x", contact_fields());
  ASSERT_FALSE(r);
  EXPECT_NE(r.error()[0].message.find("relates to one record"), std::string::npos);
}
