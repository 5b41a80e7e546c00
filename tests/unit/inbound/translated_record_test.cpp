// translate_record: Kizen's read formats (docs/emulator.md "Records") back to column values.
#include "daemon/engine/inbound/translated_record.hpp"

#include "tests/unit/bindings_fixture.hpp"

#include <boost/json/serialize.hpp>

using namespace ks::engine;
using namespace ks::engine::testing;
namespace json = boost::json;

namespace {

const std::string company_a = "c1000000-0000-4000-8000-00000000000a";
const std::string company_b = "c1000000-0000-4000-8000-00000000000b";
const std::string contact_1 = "c2000000-0000-4000-8000-000000000001";
const std::string contact_2 = "c2000000-0000-4000-8000-000000000002";
const std::string contact_3 = "c2000000-0000-4000-8000-000000000003";

// Rows known locally: company a → key 7, contacts 1 and 2 → keys 11 and 12.
std::optional<std::string> known(const record_reference& r) {
  if (r.object == "companies" && r.entity_id == company_a) return "7";
  if (r.object == "client_client" && r.entity_id == contact_1) return "11";
  if (r.object == "client_client" && r.entity_id == contact_2) return "12";
  return std::nullopt;
}

std::string value_of(const translated_record& t, const std::string& column) {
  const auto* v = t.values.if_contains(column);
  return v ? json::serialize(*v) : std::string("<absent>");
}

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : " | ") + s;
  return out;
}

struct record_translator_contacts : ::testing::Test {
  bound_object c{contacts_mapping(), contact_fields()};
  translated_record translate(const std::vector<std::pair<std::string, std::string>>& values,
                              const full_lists& lists = {}) {
    return translate_record(c.binding, make_record(contact_1, contact_fields(), values), known, lists);
  }
};

}  // namespace

TEST_F(record_translator_contacts, every_value_kind_reads_back_as_the_column_value) {
  const auto t =
      translate({{"email", R"("ann@example.com")"},
                 {"first_name", R"("Ann")"},
                 {"company", R"({"id":")" + company_a + R"(","name":"Acme","display_name":"Acme"})"},
                 {"tags", R"([{"id":"a0000000-0000-4000-8000-000000000001","name":"vip"},{"id":"x","name":"new"}])"},
                 {"lead_score", "42"},
                 {"stage", R"({"id":"b0000000-0000-4000-8000-000000000002","name":"Customer"})"},
                 {"birthday", R"("1990-02-28")"},
                 {"last_contacted", R"("2025-01-02T03:04:05.678Z")"},
                 {"lifetime_value", R"("12.50")"},
                 {"discount_rate", R"("0.150")"},
                 {"newsletter", "true"}});
  EXPECT_TRUE(t.problems.empty()) << joined(t.problems);
  EXPECT_TRUE(t.unresolved.empty());
  EXPECT_EQ(value_of(t, "email"), R"("ann@example.com")");
  EXPECT_EQ(value_of(t, "first_name"), R"("Ann")");
  EXPECT_EQ(value_of(t, "company_id"), R"("7")");      // the referenced row's key
  EXPECT_EQ(value_of(t, "tags"), R"(["vip","new"])");  // option names, in Kizen's order
  EXPECT_EQ(value_of(t, "score"), "42");
  EXPECT_EQ(value_of(t, "stage"), R"("Customer")");
  EXPECT_EQ(value_of(t, "birthday"), R"("1990-02-28")");
  EXPECT_EQ(value_of(t, "last_contacted"), R"("2025-01-02T03:04:05.678Z")");
  EXPECT_EQ(value_of(t, "ltv"), R"("12.50")");  // exact decimal text, scale kept
  EXPECT_EQ(value_of(t, "discount"), R"("0.150")");
  EXPECT_EQ(value_of(t, "newsletter"), "true");
  EXPECT_EQ(value_of(t, "notes"), "<absent>");  // to_kizen: never written from Kizen
  EXPECT_EQ(t.values.size(), 11u);
  EXPECT_FALSE(t.key.has_value());  // contacts have no key_field
}

TEST_F(record_translator_contacts, blank_fields_are_null_and_an_absent_checkbox_is_unchecked) {
  const auto t = translate({{"email", R"("ann@example.com")"}});
  EXPECT_TRUE(t.problems.empty()) << joined(t.problems);
  for (const char* column :
       {"first_name", "company_id", "score", "stage", "birthday", "last_contacted", "ltv", "discount"})
    EXPECT_EQ(value_of(t, column), "null") << column;
  EXPECT_EQ(value_of(t, "tags"), "[]");  // no tags: an empty list
  EXPECT_EQ(value_of(t, "newsletter"), "false");
}

TEST_F(record_translator_contacts, explicit_nulls_read_like_blanks) {
  const auto t = translate({{"email", R"("ann@example.com")"},
                            {"first_name", "null"},
                            {"newsletter", "null"},
                            {"company", "null"},
                            {"tags", "null"},
                            {"stage", "null"}});
  EXPECT_TRUE(t.problems.empty()) << joined(t.problems);
  EXPECT_EQ(value_of(t, "first_name"), "null");
  EXPECT_EQ(value_of(t, "newsletter"), "false");
  EXPECT_EQ(value_of(t, "company_id"), "null");
  EXPECT_EQ(value_of(t, "tags"), "[]");
  EXPECT_EQ(value_of(t, "stage"), "null");
}

TEST_F(record_translator_contacts, fields_are_found_by_id_when_the_name_is_missing) {
  auto r = make_record(contact_1, contact_fields(), {{"first_name", R"("Ann")"}});
  r.fields[0].name.clear();
  const auto t = translate_record(c.binding, r, known);
  EXPECT_EQ(value_of(t, "first_name"), R"("Ann")");
}

TEST_F(record_translator_contacts, integers_accept_integral_floats_and_integer_text) {
  EXPECT_EQ(value_of(translate({{"lead_score", "42.0"}}), "score"), "42");
  EXPECT_EQ(value_of(translate({{"lead_score", R"("-17")"}}), "score"), R"("-17")");
  EXPECT_EQ(value_of(translate({{"lead_score", "9223372036854775807"}}), "score"), "9223372036854775807");
}

TEST_F(record_translator_contacts, decimals_accept_numbers) {
  EXPECT_EQ(translate({{"lifetime_value", "12.5"}}).values.at("ltv").to_number<double>(), 12.5);
  EXPECT_EQ(value_of(translate({{"discount_rate", "3"}}), "discount"), "3");
}

TEST_F(record_translator_contacts, an_option_given_by_id_only_is_named_from_the_metadata) {
  EXPECT_EQ(value_of(translate({{"stage", R"({"id":"b0000000-0000-4000-8000-000000000001"})"}}), "stage"), R"("Lead")");
  EXPECT_EQ(value_of(translate({{"stage", R"("Lead")"}}), "stage"), R"("Lead")");
}

TEST_F(record_translator_contacts, an_unresolved_reference_is_reported_and_left_empty) {
  const auto t = translate({{"company", R"({"id":")" + company_b + R"("})"}});
  EXPECT_TRUE(t.problems.empty()) << joined(t.problems);
  EXPECT_EQ(value_of(t, "company_id"), "null");
  ASSERT_EQ(t.unresolved.size(), 1u);
  EXPECT_EQ(t.unresolved[0], (record_reference{"companies", company_b}));
}

TEST_F(record_translator_contacts, reference_ids_are_matched_case_insensitively) {
  std::string upper = company_a;
  for (auto& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  const auto t = translate({{"company", R"({"id":")" + upper + R"("})"}});
  EXPECT_EQ(value_of(t, "company_id"), R"("7")");
}

TEST_F(record_translator_contacts, bad_shapes_are_problems_naming_field_and_column) {
  struct bad_case {
    const char* field;
    const char* value;
    const char* expected;  // a substring of the problem
  };
  const bad_case cases[] = {
      {"first_name", "12", "field 'first_name' (column 'first_name'): expected a string, got 12"},
      {"email", R"({"a":1})", "field 'email' (column 'email'): expected a string"},
      {"lead_score", "1.5", "field 'lead_score' (column 'score'): expected an integer, got 1.5"},
      {"lead_score", R"("many")", "field 'lead_score' (column 'score'): expected an integer, got \"many\""},
      {"lead_score", "true", "expected an integer"},
      {"lifetime_value", R"("12,50")", "field 'lifetime_value' (column 'ltv'): expected a decimal, got \"12,50\""},
      {"lifetime_value", "[1]", "expected a decimal"},
      {"newsletter", R"("yes")", "field 'newsletter' (column 'newsletter'): expected a boolean, got \"yes\""},
      {"birthday", "20250101", "field 'birthday' (column 'birthday'): expected a date"},
      {"birthday", R"("01/02/2025")", "field 'birthday' (column 'birthday'): expected a date"},
      {"last_contacted", R"("yesterday")", "field 'last_contacted' (column 'last_contacted'): expected a timestamp"},
      {"stage", "5", "field 'stage' (column 'stage'): expected an option, got 5"},
      {"stage", R"({"id":"b0000000-0000-4000-8000-0000000000ff"})", "expected an option"},
      {"tags", R"("vip")", "field 'tags' (column 'tags'): expected a list of options"},
      {"tags", "[1]", "field 'tags' (column 'tags'): expected options"},
      {"company", R"({"id":"not-a-uuid"})", "field 'company' (column 'company_id'): expected related records"},
      {"company", "17", "expected related records"},
  };
  for (const auto& bad : cases) {
    const std::string good = std::string(bad.field) == "email" ? "first_name" : "email";
    const auto t = translate({{good, R"("ok@example.com")"}, {bad.field, bad.value}});
    ASSERT_EQ(t.problems.size(), 1u) << bad.field << " = " << bad.value << ": " << joined(t.problems);
    EXPECT_NE(t.problems[0].find(bad.expected), std::string::npos)
        << bad.field << " = " << bad.value << ": " << t.problems[0];
    EXPECT_EQ(value_of(t, good), R"("ok@example.com")");  // the other fields still read
  }
}

TEST_F(record_translator_contacts, a_long_bad_value_is_shortened_in_the_problem) {
  std::string long_list = "[0";
  for (int i = 1; i < 100; ++i) long_list += "," + std::to_string(i);
  const auto t = translate({{"first_name", long_list + "]"}});
  ASSERT_EQ(t.problems.size(), 1u);
  EXPECT_LT(t.problems[0].size(), 160u) << t.problems[0];
  EXPECT_NE(t.problems[0].find("..."), std::string::npos);
}

TEST_F(record_translator_contacts, references_of_lists_the_records_without_a_row) {
  const auto r = make_record(contact_1, contact_fields(), {{"company", R"({"id":")" + company_b + R"("})"}});
  EXPECT_EQ(references_of(c.binding, r), (std::vector<record_reference>{{"companies", company_b}}));
  EXPECT_TRUE(summarized_fields(c.binding, r).empty());
}

namespace {

struct record_translator_companies : ::testing::Test {
  bound_object c{companies_mapping(), company_fields()};
};

std::string related(std::initializer_list<std::string> ids) {
  std::string out = "[";
  for (const auto& id : ids) out += (out.size() > 1 ? "," : "") + (R"({"id":")" + id + R"(","name":"x"})");
  return out + "]";
}

}  // namespace

TEST_F(record_translator_companies, a_to_many_relationship_reads_as_the_keys_of_the_related_rows) {
  const auto r =
      make_record(company_a, company_fields(), {{"name", R"("Acme")"}, {"contacts", related({contact_1, contact_2})}});
  const auto t = translate_record(c.binding, r, known);
  EXPECT_TRUE(t.problems.empty()) << joined(t.problems);
  EXPECT_EQ(value_of(t, "contact_ids"), R"(["11","12"])");
  EXPECT_EQ(value_of(t, "name"), R"("Acme")");
}

TEST_F(record_translator_companies, unresolved_members_of_a_to_many_relationship_are_reported) {
  const auto r = make_record(company_a, company_fields(), {{"contacts", related({contact_1, contact_3, contact_3})}});
  const auto t = translate_record(c.binding, r, known);
  EXPECT_EQ(value_of(t, "contact_ids"), R"(["11"])");
  EXPECT_EQ(t.unresolved, (std::vector<record_reference>{{"client_client", contact_3}}));  // once
}

TEST_F(record_translator_companies, a_summarized_relationship_uses_the_full_list) {
  auto r = make_record(company_a, company_fields(), {{"contacts", related({contact_1})}});
  r.fields[0].summary_count = 150;
  const auto summarized = summarized_fields(c.binding, r);
  ASSERT_EQ(summarized.size(), 1u);
  EXPECT_EQ(summarized[0]->mapping->column, "contact_ids");
  const full_lists lists{{fid(203), {contact_1, contact_2, contact_3}}};
  const auto t = translate_record(c.binding, r, known, lists);
  EXPECT_EQ(value_of(t, "contact_ids"), R"(["11","12"])");
  EXPECT_EQ(t.unresolved, (std::vector<record_reference>{{"client_client", contact_3}}));
  EXPECT_EQ(references_of(c.binding, r, lists),
            (std::vector<record_reference>{
                {"client_client", contact_1}, {"client_client", contact_2}, {"client_client", contact_3}}));
}

TEST_F(record_translator_companies, the_key_comes_from_key_field) {
  auto text =
      translate_record(c.binding, make_record(company_a, company_fields(), {{"external_id", R"("C-9")"}}), known);
  EXPECT_EQ(text.key, std::optional<std::string>("C-9"));
  EXPECT_FALSE(text.values.contains("external_id"));  // not a mapped column
  auto number = translate_record(c.binding, make_record(company_a, company_fields(), {{"external_id", "31"}}), known);
  EXPECT_EQ(number.key, std::optional<std::string>("31"));
  auto blank = translate_record(c.binding, make_record(company_a, company_fields(), {{"external_id", R"("")"}}), known);
  EXPECT_FALSE(blank.key.has_value());
  auto absent = translate_record(c.binding, make_record(company_a, company_fields(), {}), known);
  EXPECT_FALSE(absent.key.has_value());
}

// A row's microseconds survive the round trip: Kizen keeps milliseconds, and the value it holds
// is the one last synced, so the pull keeps the row's own form (no truncation, no rewrite).
TEST_F(record_translator_contacts, a_datetime_kizen_holds_as_last_synced_keeps_the_synced_precision) {
  auto t = translate({{"last_contacted", R"("2025-03-04T05:06:07.089Z")"}, {"first_name", R"("Ann")"}});
  json::object synced{{"last_contacted", "2025-03-04T06:06:07.089512+01:00"}, {"first_name", "Ann"}};
  keep_synced_instants(c.binding, t, synced);
  EXPECT_EQ(value_of(t, "last_contacted"), R"("2025-03-04T06:06:07.089512+01:00")");
  EXPECT_EQ(value_of(t, "first_name"), R"("Ann")");

  // Another instant in Kizen (changed there), or nothing synced yet: Kizen's value stands.
  auto changed = translate({{"last_contacted", R"("2025-03-04T05:06:07.090Z")"}});
  keep_synced_instants(c.binding, changed, synced);
  EXPECT_EQ(value_of(changed, "last_contacted"), R"("2025-03-04T05:06:07.090Z")");
  auto fresh = translate({{"last_contacted", R"("2025-03-04T05:06:07.089Z")"}});
  keep_synced_instants(c.binding, fresh, json::object{});
  EXPECT_EQ(value_of(fresh, "last_contacted"), R"("2025-03-04T05:06:07.089Z")");
  // Cleared in Kizen: null stays null.
  auto cleared = translate({{"last_contacted", "null"}});
  keep_synced_instants(c.binding, cleared, synced);
  EXPECT_EQ(value_of(cleared, "last_contacted"), "null");
}
