#include "daemon/engine/outbound/write_plan.hpp"

#include "tests/unit/bindings_fixture.hpp"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

using namespace ks::engine;
using ks::key_ref;
using namespace ks::engine::testing;
namespace json = boost::json;

namespace {

merged_change update(const char* before, const char* after, std::set<std::string> cols) {
  merged_change m;
  m.action = merged_change::kind::write;
  m.before = json::parse(before).as_object();
  m.after = json::parse(after).as_object();
  m.changed_columns = std::move(cols);
  return m;
}

kizen_id_lookup known(std::map<std::string, std::string> ids) {
  return [ids](const key_ref& r) -> std::optional<std::string> {
    const auto it = ids.find(r.object + "/" + r.key);
    if (it == ids.end()) return std::nullopt;
    return it->second;
  };
}

std::string render(const std::vector<planned_write>& ws) {
  json::array out;
  for (const auto& w : ws) {
    json::object o{{"name", w.field_name}};
    if (w.value) o["value"] = *w.value;
    if (!w.add_values.empty()) o["add"] = json::array(w.add_values.begin(), w.add_values.end());
    if (!w.remove_values.empty()) o["remove"] = json::array(w.remove_values.begin(), w.remove_values.end());
    out.push_back(std::move(o));
  }
  return json::serialize(out);
}

}  // namespace

TEST(write_planner, an_update_sends_only_changed_sent_columns) {
  bound_contacts c;
  auto m = update(R"({"id":"1","email":"a@x","first_name":"A","score":"1"})",
                  R"({"id":"1","email":"a@x","first_name":"B","score":"9"})", {"first_name", "score"});
  auto w = plan_writes(c.binding, m, false, known({}));
  ASSERT_TRUE(w);
  // score maps a from_kizen field: never sent
  EXPECT_EQ(render(w->writes), R"([{"name":"first_name","value":"B"}])");
}

TEST(write_planner, an_update_of_only_unsent_columns_has_no_writes) {
  bound_contacts c;
  auto m = update(R"({"score":"1"})", R"({"score":"2"})", {"score"});
  auto w = plan_writes(c.binding, m, false, known({}));
  ASSERT_TRUE(w);
  EXPECT_TRUE(w->writes.empty());
}

TEST(write_planner, a_create_sends_everything_and_null_clears) {
  bound_contacts c;
  auto m = update("{}",
                  R"({"id":"1","email":"a@x","first_name":null,"company_id":"7","tags":["vip","new"],)"
                  R"("stage":"Lead","birthday":null,"last_contacted":null,"ltv":"10.50","newsletter":false})",
                  {});
  auto w = plan_writes(c.binding, m, true, known({{"companies/7", "e7"}}));
  ASSERT_TRUE(w) << w.error().message;
  EXPECT_TRUE(w->unresolved.empty());
  EXPECT_EQ(render(w->writes),
            R"([{"name":"email","value":"a@x"},{"name":"first_name","value":null},)"
            R"({"name":"company","value":{"id":"e7"}},)"
            R"({"name":"tags","add":[{"id":"a0000000-0000-4000-8000-000000000001"},{"name":"new"}]},)"
            R"({"name":"stage","value":{"id":"b0000000-0000-4000-8000-000000000001"}},)"
            R"({"name":"birthday","value":null},{"name":"last_contacted","value":null},)"
            R"({"name":"lifetime_value","value":"10.50"},{"name":"newsletter","value":false},)"
            R"({"name":"discount_rate","value":null},{"name":"notes","value":null}])");
}

TEST(write_planner, multi_values_send_the_difference) {
  bound_contacts c;
  auto m = update(R"({"tags":["vip","old"]})", R"({"tags":["vip","new"]})", {"tags"});
  auto w = plan_writes(c.binding, m, false, known({}));
  ASSERT_TRUE(w);
  EXPECT_EQ(render(w->writes), R"([{"name":"tags","add":[{"name":"new"}],"remove":[{"name":"old"}]}])");
  auto unchanged = update(R"({"tags":["a"]})", R"({"tags":["a"]})", {"tags"});
  EXPECT_TRUE(plan_writes(c.binding, unchanged, false, known({}))->writes.empty());
  auto cleared = update(R"({"tags":["a","b"]})", R"({"tags":null})", {"tags"});
  EXPECT_EQ(render(plan_writes(c.binding, cleared, false, known({}))->writes),
            R"([{"name":"tags","remove":[{"name":"a"},{"name":"b"}]}])");
}

TEST(write_planner, merged_multi_values_also_cover_what_an_earlier_attempt_may_have_applied) {
  bound_contacts c;
  // {a} -> {a,b} -> {a}: the first change's request may have added b (its answer lost).
  auto m = update(R"({"tags":["a"]})", R"({"tags":["a"]})", {"tags"});
  m.images = {json::parse(R"({"tags":["a","b"]})").as_object(), m.after};
  EXPECT_EQ(render(plan_writes(c.binding, m, false, known({}))->writes),
            R"([{"name":"tags","remove":[{"name":"b"}]}])");
  // {a,b} -> {b} -> {a,b}: the first may have removed a.
  auto back = update(R"({"tags":["a","b"]})", R"({"tags":["a","b"]})", {"tags"});
  back.images = {json::parse(R"({"tags":["b"]})").as_object(), back.after};
  EXPECT_EQ(render(plan_writes(c.binding, back, false, known({}))->writes),
            R"([{"name":"tags","add":[{"name":"a"}]}])");
  // A create: everything it has, minus what an earlier attempt of {x,y} may have put there.
  auto create = update("{}", R"({"email":"a@x","tags":["x"]})", {"email", "tags"});
  create.began_with_insert = true;
  create.images = {json::parse(R"({"email":"a@x","tags":["x","y"]})").as_object(), create.after};
  auto w = plan_writes(c.binding, create, true, known({}));
  ASSERT_TRUE(w);
  const auto tags =
      std::find_if(w->writes.begin(), w->writes.end(), [](const auto& x) { return x.field_name == "tags"; });
  ASSERT_NE(tags, w->writes.end());
  EXPECT_EQ(render({*tags}), R"([{"name":"tags","add":[{"name":"x"}],"remove":[{"name":"y"}]}])");
  // A single change is the plain difference, whatever the images say.
  auto single = update(R"({"tags":["a"]})", R"({"tags":["b"]})", {"tags"});
  single.images = {single.after};
  EXPECT_EQ(render(plan_writes(c.binding, single, false, known({}))->writes),
            R"([{"name":"tags","add":[{"name":"b"}],"remove":[{"name":"a"}]}])");
}

TEST(write_planner, unresolved_references_are_listed) {
  bound_contacts c;
  auto m = update(R"({"company_id":null})", R"({"company_id":9})", {"company_id"});
  EXPECT_EQ(references_needed(c.binding, m, false), (std::vector<key_ref>{{"companies", "9"}}));
  auto w = plan_writes(c.binding, m, false, known({}));
  ASSERT_TRUE(w);
  EXPECT_EQ(w->unresolved, (std::vector<key_ref>{{"companies", "9"}}));
  EXPECT_EQ(w->incomplete_columns, (std::vector<std::string>{"company_id"}));
  EXPECT_TRUE(w->writes.empty());  // the column is left out whole, not sent half-resolved
  EXPECT_EQ(describe(w->unresolved), "companies/9");
  auto cleared = update(R"({"company_id":9})", R"({"company_id":null})", {"company_id"});
  EXPECT_TRUE(references_needed(c.binding, cleared, false).empty());
  EXPECT_EQ(render(plan_writes(c.binding, cleared, false, known({}))->writes), R"([{"name":"company","value":null}])");
}

TEST(write_planner, bad_values_name_the_column) {
  bound_contacts c;
  auto m = update(R"({})", R"({"stage":"Nope"})", {"stage"});
  auto w = plan_writes(c.binding, m, false, known({}));
  ASSERT_FALSE(w);
  EXPECT_EQ(w.error().message,
            "column 'stage' (Kizen field 'stage'): 'Nope' is not an option of 'stage' (options: Lead, Customer)");
}

TEST(write_planner, creates_record_the_key_in_the_match_field) {
  auto mapping = contacts_mapping();
  mapping.match_field = "external_id";
  auto b = bind_object(mapping, "x", contact_fields());
  ASSERT_TRUE(b);
  auto m = update("{}", R"({"id":"42","email":"a@x"})", {});
  auto w = plan_writes(*b, m, true, known({}));
  ASSERT_TRUE(w);
  EXPECT_EQ(w->writes.back().field_name, "external_id");
  EXPECT_EQ(json::serialize(*w->writes.back().value), R"("42")");
  auto patch = plan_writes(*b, update("{}", R"({"id":"42","email":"b@x"})", {"email"}), false, known({}));
  EXPECT_EQ(render(patch->writes), R"([{"name":"email","value":"b@x"}])");  // not on updates
}

TEST(write_planner, a_create_leaves_out_unresolved_columns_and_keeps_the_rest) {
  bound_contacts c;
  auto m = update("{}", R"({"id":"1","email":"a@x","company_id":"7"})", {});
  auto w = plan_writes(c.binding, m, true, known({}));
  ASSERT_TRUE(w);
  EXPECT_EQ(w->incomplete_columns, (std::vector<std::string>{"company_id"}));
  EXPECT_NE(render(w->writes).find(R"({"name":"email","value":"a@x"})"), std::string::npos);
  EXPECT_EQ(render(w->writes).find("company"), std::string::npos);
}
