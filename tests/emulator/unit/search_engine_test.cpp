#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "src/schema.hpp"
#include "src/search.hpp"
#include "src/store.hpp"
#include "src/value_codec.hpp"

namespace kizen_emulator {
namespace {

namespace json = boost::json;

class emulator_search_engine : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = load_schema_file(KIZEN_EMULATOR_DEFAULT_SCHEMA);
    ASSERT_TRUE(s) << s.error();
    schema_ = std::make_unique<schema>(std::move(s).value());
    store_ = std::make_unique<store>(*schema_);
    companies_ = schema_->object_by_name("companies");
  }
  record& company(const std::string& name, json::object values, std::int64_t updated = 0) {
    record& r = store_->create(schema_->index_of(*companies_), updated);
    r.values[companies_->field_by_name("name")->index] = name;
    for (const auto& kv : values) {
      const auto* f = companies_->field_by_name(kv.key());
      auto v = parse_write_value(*store_, *companies_, *f, kv.value());
      EXPECT_TRUE(v) << kv.key();
      r.values[f->index] = std::move(v).value();
    }
    store_->reindex(r);
    return r;
  }
  std::vector<std::string> run(const json::value& body, std::string_view ordering = "", std::string_view term = "") {
    auto plan = parse_search(*store_, *companies_, &body, ordering, term);
    EXPECT_TRUE(plan) << (plan ? "" : plan.error());
    std::vector<std::string> out;
    if (!plan) return out;
    for (const record* r : run_search(*store_, schema_->index_of(*companies_), plan.value()))
      out.push_back(store_->text_value(*r, "name"));
    return out;
  }
  std::string error(const json::value& body, std::string_view ordering = "") {
    auto plan = parse_search(*store_, *companies_, &body, ordering, "");
    return plan ? std::string("no error") : plan.error();
  }
  json::object filter(std::string_view field, std::string_view condition, json::value value) {
    const auto* f = companies_->field_by_name(field);
    if (f->is_default)
      return json::object{
          {"type", "fields"}, {"subtype", "non_custom"}, {"field", field}, {"condition", condition}, {"value", value}};
    return json::object{{"type", "fields_v2"},
                        {"subtype", "custom"},
                        {"field", "\"custom\"::" + f->id},
                        {"condition", condition},
                        {"value", value}};
  }
  json::object body(json::array filters, bool all = true) {
    return json::object{{"query", json::array{json::object{{"and", all}, {"filters", std::move(filters)}}}}};
  }
  using names = std::vector<std::string>;

  std::unique_ptr<schema> schema_;
  std::unique_ptr<store> store_;
  const object_def* companies_ = nullptr;
};

TEST_F(emulator_search_engine, blank_values_match_negative_conditions_only) {
  company("A", {{"employees", 5}, {"domain", "a.test"}});
  company("B", {});
  EXPECT_EQ(run(body({filter("employees", "!=", 5)})), names({"B"}));
  EXPECT_EQ(run(body({filter("employees", "<", 100)})), names({"A"}));
  EXPECT_EQ(run(body({filter("domain", "!contains", "a")})), names({"B"}));
  EXPECT_EQ(run(body({filter("domain", "is_blank", true)})), names({"B"}));
}

TEST_F(emulator_search_engine, ordering_puts_blanks_last_ascending_first_descending_and_ties_by_id) {
  auto& a = company("A", {{"employees", 5}});
  auto& b = company("B", {{"employees", 5}});
  company("C", {});
  company("D", {{"employees", 1}});
  const bool a_first = a.id < b.id;
  EXPECT_EQ(run(json::object{}, "employees"), a_first ? names({"D", "A", "B", "C"}) : names({"D", "B", "A", "C"}));
  EXPECT_EQ(run(json::object{}, "-employees"), a_first ? names({"C", "B", "A", "D"}) : names({"C", "A", "B", "D"}));
  EXPECT_EQ(run(json::object{}, "-name"), names({"D", "C", "B", "A"}));
}

TEST_F(emulator_search_engine, updated_filter_and_default_order_by_created) {
  company("Old", {}, 1000);
  company("New", {}, 2000);
  EXPECT_EQ(run(body({filter("updated", ">", "1970-01-01T00:00:01.000Z")})), names({"New"}));
  EXPECT_EQ(run(body({filter("updated", "between", json::array{"1970-01-01T00:00:00Z", "1970-01-01T00:00:01Z"})})),
            names({"Old"}));
  EXPECT_EQ(run(json::object{}), names({"Old", "New"}));
}

TEST_F(emulator_search_engine, archived_records_never_match_and_term_searches_the_name) {
  company("Findme", {});
  company("Other", {}).archived = true;
  EXPECT_EQ(run(json::object{}), names({"Findme"}));
  EXPECT_EQ(run(json::object{}, "", "NDM"), names({"Findme"}));
  EXPECT_EQ(run(json::object{}, "", "oth"), names({}));
}

TEST_F(emulator_search_engine, parse_errors_are_specific) {
  EXPECT_NE(error(body({filter("employees", "has", 1)})).find("does not apply"), std::string::npos);
  EXPECT_NE(error(body({filter("industry", "=", "Mining")})).find("is not an option"), std::string::npos);
  EXPECT_NE(error(body({filter("founded", ">", "yesterday")})).find("YYYY-MM-DD"), std::string::npos);
  EXPECT_NE(error(json::object{
                      {"query", json::array{json::object{{"filters", json::array{json::object{{"type", "fields"},
                                                                                              {"subtype", "non_custom"},
                                                                                              {"field", "nope"},
                                                                                              {"condition", "="},
                                                                                              {"value", 1}}}}}}}})
                .find("nope"),
            std::string::npos);
  EXPECT_NE(error(json::object{}, "contacts").find("Cannot order"), std::string::npos);
  EXPECT_NE(error(json::array{}).find("JSON object"), std::string::npos);
  EXPECT_NE(error(json::object{{"query", "x"}}).find("expected a list"), std::string::npos);
}

TEST_F(emulator_search_engine, field_selection_from_names_and_ids) {
  const auto* employees = companies_->field_by_name("employees");
  json::value b = json::object{{"field_ids", json::array{json::value(employees->id), "not-a-uuid"}}};
  auto plan = parse_search(*store_, *companies_, &b, "", "");
  ASSERT_TRUE(plan);
  EXPECT_TRUE(plan->selection.wants(employees->index));
  EXPECT_FALSE(plan->selection.wants(companies_->field_by_name("name")->index));
  b = json::object{{"field_names", json::array{}}};
  plan = parse_search(*store_, *companies_, &b, "", "");
  EXPECT_TRUE(plan->selection.wants(companies_->field_by_name("name")->index));
  EXPECT_FALSE(plan->selection.wants(employees->index));
}

}  // namespace
}  // namespace kizen_emulator
