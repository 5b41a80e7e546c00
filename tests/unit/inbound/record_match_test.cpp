// record_match, branch by branch: each case gives the record, PostgreSQL's answers, and expects
// the questions asked and the action. No database: the state machine only asks.
#include "daemon/engine/inbound/record_match.hpp"

#include "tests/unit/bindings_fixture.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <functional>

using namespace ks::engine;
using namespace ks::engine::testing;
using namespace std::chrono_literals;
namespace json = boost::json;
namespace kizen = ks::kizen;
namespace config = ks::config;

namespace {

constexpr const char* entity = "0f8fad5b-d9cb-469f-a165-70867728950e";
constexpr const char* other = "6ec0bd7f-11c0-43da-975e-2a8ad9ebae0b";
using q = match_question::kind;
using act = record_action::kind;

const kizen::timestamp t1{std::chrono::microseconds(1'700'000'000'000'000)};
const kizen::timestamp t2 = t1 + std::chrono::seconds(5);

kizen::record record_at(kizen::timestamp updated) {
  kizen::record r;
  r.id = "0F8FAD5B-D9CB-469F-A165-70867728950E";  // Kizen may answer in upper case
  r.updated = updated;
  return r;
}

translated_record translated(const char* values, std::optional<std::string> key = std::nullopt) {
  translated_record t;
  t.values = json::parse(values).as_object();
  t.key = std::move(key);
  return t;
}

known_identity identity(const std::string& key, const std::string& entity_id, const char* synced,
                        std::optional<kizen::timestamp> updated = t1) {
  return {key, entity_id, json::parse(synced).as_object(), updated};
}

match_answer with_identity(std::optional<known_identity> i) {
  match_answer a;
  a.identity = std::move(i);
  return a;
}
match_answer exists(bool e) {
  match_answer a;
  a.exists = e;
  return a;
}
match_answer key(std::optional<std::string> k) {
  match_answer a;
  a.key = std::move(k);
  return a;
}
match_answer queued(std::map<std::string, wall_time> cols) {
  match_answer a;
  a.queued = std::move(cols);
  return a;
}
match_answer changed(std::vector<std::string> cols) {
  match_answer a;
  a.changed = std::move(cols);
  return a;
}

wall_time at(kizen::timestamp t) {
  return wall_time(std::chrono::duration_cast<wall_time::duration>(t.time_since_epoch()));
}

struct asked {
  q what;
  std::string detail;  // key, lookup value, or the columns joined by ','
  match_answer answer;
};

struct match_case {
  std::string name;
  std::function<config::object_mapping()> mapping;
  kizen::timestamp updated;
  translated_record record;
  std::vector<asked> questions;
  act action;
  std::string detail;        // update/insert: the key ("" = none); fail: a part of the reason
  std::string columns = "";  // update/insert: the columns written, joined by ','
  // Where a new row's key comes from when key_field gives none (found by the table inspector).
  ks::pg::new_row_key new_key = ks::pg::new_row_key::column_default;
};

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ",") + s;
  return out;
}

std::string detail_of(const match_question& question) {
  switch (question.what) {
    case q::row_exists:
    case q::lock_key:
    case q::queued_columns: return question.key;
    case q::key_by_lookup: return question.value;
    case q::changed_in_kizen: return joined(question.columns);
    default: return "";
  }
}

config::object_mapping companies_without_key_field() {
  auto m = companies_mapping();
  m.key_field.reset();
  return m;
}

std::vector<match_case> cases() {
  const auto contacts = contacts_mapping;
  const auto companies = companies_mapping;
  const char* both = R"({"email":"a@x","first_name":"Ann"})";
  return {
      {"a record that cannot be read fails with every problem",
       contacts,
       t1,
       [] {
         auto t = translated("{}");
         t.problems = {"field a: bad", "field b: worse"};
         return t;
       }(),
       {},
       act::fail,
       "field a: bad; field b: worse"},
      {"an older version than the one known is no news",
       contacts,
       t1,
       translated(both),
       {{q::identity_of_record, "", with_identity(identity("1", entity, "{}", t2))}},
       act::unchanged,
       ""},
      {"this very version with every value as last synced is no news",
       contacts,
       t1,
       translated(both),
       {{q::identity_of_record, "", with_identity(identity("1", entity, both, t1))}},
       act::unchanged,
       ""},
      {"a mapped record updates its row under the key's lock",
       contacts,
       t2,
       translated(both),
       {{q::identity_of_record, "", with_identity(identity("1", entity, R"({"email":"a@x"})"))},
        {q::lock_key, "1", with_identity(identity("1", entity, R"({"email":"a@x"})"))},
        {q::row_exists, "1", exists(true)},
        {q::queued_columns, "1", queued({})}},
       act::update,
       "1",
       "email,first_name"},
      {"a mapped record whose row was deleted here is left to the queued delete",
       contacts,
       t2,
       translated(both),
       {{q::identity_of_record, "", with_identity(identity("1", entity, "{}"))},
        {q::lock_key, "1", with_identity(identity("1", entity, "{}"))},
        {q::row_exists, "1", exists(false)}},
       act::unchanged,
       ""},
      {"a row mapped to another record meanwhile fails the record",
       contacts,
       t2,
       translated(both),
       {{q::identity_of_record, "", with_identity(identity("1", entity, "{}"))},
        {q::lock_key, "1", with_identity(identity("1", other, "{}"))}},
       act::fail,
       "was mapped to Kizen record " + std::string(other) + " meanwhile"},
      {"a newer version stored while the lock was awaited makes this one old",
       contacts,
       t1,
       translated(both),
       {{q::identity_of_record, "", with_identity(identity("1", entity, "{}", std::nullopt))},
        {q::lock_key, "1", with_identity(identity("1", entity, "{}", t2))}},
       act::unchanged,
       ""},
      {"an unmapped record finds its row by key_field",
       companies,
       t1,
       translated(R"({"name":"Acme"})", "C-9"),
       {{q::identity_of_record, "", with_identity(std::nullopt)},
        {q::row_exists, "C-9", exists(true)},
        {q::lock_key, "C-9", with_identity(std::nullopt)},
        {q::row_exists, "C-9", exists(true)},
        {q::queued_columns, "C-9", queued({})}},
       act::update,
       "C-9",
       "name"},
      {"no row has that key_field value: by lookup, then it is inserted with it",
       companies,
       t1,
       translated(R"({"name":"Acme"})", "C-9"),
       {{q::identity_of_record, "", with_identity(std::nullopt)},
        {q::row_exists, "C-9", exists(false)},
        {q::key_by_lookup, "Acme", key(std::nullopt)}},
       act::insert,
       "C-9",
       "name"},
      {"an unmapped record finds its row by entity_id_column",
       contacts,
       t1,
       translated(both),
       {{q::identity_of_record, "", with_identity(std::nullopt)},
        {q::key_by_entity_column, "", key("4")},
        {q::lock_key, "4", with_identity(std::nullopt)},
        {q::row_exists, "4", exists(true)},
        {q::queued_columns, "4", queued({})}},
       act::update,
       "4",
       "email,first_name"},
      {"an unmapped record finds its row by the lookup value",
       contacts,
       t1,
       translated(both),
       {{q::identity_of_record, "", with_identity(std::nullopt)},
        {q::key_by_entity_column, "", key(std::nullopt)},
        {q::key_by_lookup, "a@x", key("5")},
        {q::lock_key, "5", with_identity(std::nullopt)},
        {q::row_exists, "5", exists(true)},
        {q::queued_columns, "5", queued({})}},
       act::update,
       "5",
       "email,first_name"},
      {"a row found by lookup that belongs to another record is not taken over: a new row",
       contacts,
       t1,
       translated(both),
       {{q::identity_of_record, "", with_identity(std::nullopt)},
        {q::key_by_entity_column, "", key(std::nullopt)},
        {q::key_by_lookup, "a@x", key("5")},
        {q::lock_key, "5", with_identity(identity("5", other, "{}"))}},
       act::insert,
       "",
       "email,first_name"},
      {"nothing mirrors it: a new row keyed by the column's default",
       contacts,
       t1,
       translated(both),
       {{q::identity_of_record, "", with_identity(std::nullopt)},
        {q::key_by_entity_column, "", key(std::nullopt)},
        {q::key_by_lookup, "a@x", key(std::nullopt)}},
       act::insert,
       "",
       "email,first_name"},
      {"nothing mirrors it and the key column is text: a new row keyed by the Kizen record id",
       companies_without_key_field,
       t1,
       translated(R"({"name":"Acme"})"),
       {{q::identity_of_record, "", with_identity(std::nullopt)}, {q::key_by_lookup, "Acme", key(std::nullopt)}},
       act::insert,
       entity,
       "name",
       ks::pg::new_row_key::entity_id},
      {"nothing mirrors it, key_field is empty, the key column has a default: a new row by the default",
       companies,
       t1,
       translated(R"({"name":"Acme"})"),
       {{q::identity_of_record, "", with_identity(std::nullopt)}, {q::key_by_lookup, "Acme", key(std::nullopt)}},
       act::insert,
       "",
       "name"},
      {"nothing mirrors it and no key can be given: it fails",
       companies_without_key_field,
       t1,
       translated(R"({"name":"Acme"})"),
       {{q::identity_of_record, "", with_identity(std::nullopt)}, {q::key_by_lookup, "Acme", key(std::nullopt)}},
       act::fail,
       "the mapping has no key_field, and key column 'id' has no default",
       "",
       ks::pg::new_row_key::none},
      {"nothing mirrors it and key_field is empty: it fails",
       companies,
       t1,
       translated(R"({"name":"Acme"})"),
       {{q::identity_of_record, "", with_identity(std::nullopt)}, {q::key_by_lookup, "Acme", key(std::nullopt)}},
       act::fail,
       "no value in key_field 'external_id'",
       "",
       ks::pg::new_row_key::none},
      {"a table not inspected yet gives no key: it fails rather than guess",
       companies_without_key_field,
       t1,
       translated(R"({"name":"Acme"})"),
       {{q::identity_of_record, "", with_identity(std::nullopt)}, {q::key_by_lookup, "Acme", key(std::nullopt)}},
       act::fail,
       "a new row would have no key",
       "",
       ks::pg::new_row_key::unknown},
      {"a queued column Kizen also changed goes through the policy (newest wins: Kizen)",
       contacts,
       t2,
       translated(both),
       {{q::identity_of_record, "", with_identity(identity("1", entity, both))},
        {q::lock_key, "1", with_identity(identity("1", entity, R"({"email":"a@x","first_name":"Bo"})"))},
        {q::row_exists, "1", exists(true)},
        {q::queued_columns, "1", queued({{"first_name", at(t1)}})},
        {q::changed_in_kizen, "first_name", changed({"first_name"})}},
       act::update,
       "1",
       "email,first_name"},
      {"a queued column Kizen did not change is kept, whatever the policy",
       contacts,
       t2,
       translated(both),
       {{q::identity_of_record, "", with_identity(identity("1", entity, both))},
        {q::lock_key, "1", with_identity(identity("1", entity, both))},
        {q::row_exists, "1", exists(true)},
        {q::queued_columns, "1", queued({{"first_name", at(t1)}})},
        {q::changed_in_kizen, "first_name", changed({})}},
       act::update,
       "1",
       "email"},
      {"a queued column never synced needs no comparison",
       contacts,
       t1,
       translated(both),
       {{q::identity_of_record, "", with_identity(identity("1", entity, R"({"email":"a@x"})", std::nullopt))},
        {q::lock_key, "1", with_identity(identity("1", entity, R"({"email":"a@x"})", std::nullopt))},
        {q::row_exists, "1", exists(true)},
        {q::queued_columns, "1", queued({{"first_name", at(t2)}})}},
       act::update,
       "1",
       "email"},  // newest wins: the database change (t2) is newer than Kizen's (t1)
  };
}

TEST(record_match, each_branch_asks_its_questions_and_comes_to_its_action) {
  for (const auto& c : cases()) {
    SCOPED_TRACE(c.name);
    bound_object b(c.mapping(), c.mapping().object == "companies" ? company_fields() : contact_fields());
    b.binding.table.new_key = c.new_key;
    const auto rec = record_at(c.updated);
    record_match m(b.binding, rec, c.record, at(t1));
    auto question = m.start();
    std::size_t i = 0;
    for (; question.what != q::done; ++i) {
      ASSERT_LT(i, c.questions.size()) << "an unexpected question " << static_cast<int>(question.what);
      EXPECT_EQ(question.what, c.questions[i].what) << "question " << i;
      EXPECT_EQ(detail_of(question), c.questions[i].detail) << "question " << i;
      question = m.resume(c.questions[i].answer);
    }
    EXPECT_EQ(i, c.questions.size()) << "questions expected but not asked";
    const auto& a = m.action();
    EXPECT_EQ(a.what, c.action);
    if (a.what == act::fail) {
      EXPECT_NE(a.reason.find(c.detail), std::string::npos) << a.reason;
    } else if (a.what != act::unchanged) {
      EXPECT_EQ(a.key.value_or(""), c.detail);
      EXPECT_EQ(joined(a.columns), c.columns);
    }
    EXPECT_EQ(m.entity_id(), entity);  // the record's id in lower case
  }
}

TEST(record_match, the_identity_keeps_what_was_synced_and_takes_what_is_written) {
  bound_contacts c;
  const auto rec = record_at(t2);
  record_match m(c.binding, rec, translated(R"({"email":"a@x","first_name":"Ann"})"), at(t1));
  m.start();
  m.resume(with_identity(identity("1", entity, R"({"email":"old@x","stage":"Lead"})")));
  m.resume(with_identity(identity("1", entity, R"({"email":"old@x","stage":"Lead"})")));
  m.resume(exists(true));
  m.resume(queued({}));
  EXPECT_EQ(json::serialize(m.action().synced_values), R"({"email":"a@x","stage":"Lead","first_name":"Ann"})");
}

TEST(record_match, kizen_wins_drops_the_queued_change_it_overrides_and_says_why) {
  auto mapping = contacts_mapping();
  mapping.conflict = config::conflict_policy::kizen_wins;
  bound_object b(mapping, contact_fields());
  const auto rec = record_at(t1);
  const char* both = R"({"email":"a@x","first_name":"Ann"})";
  record_match m(b.binding, rec, translated(both), at(t1));
  m.start();
  m.resume(with_identity(identity("1", entity, R"({"email":"a@x","first_name":"Bo"})", std::nullopt)));
  m.resume(with_identity(identity("1", entity, R"({"email":"a@x","first_name":"Bo"})", std::nullopt)));
  m.resume(exists(true));
  const auto question = m.resume(queued({{"first_name", at(t2)}}));
  ASSERT_EQ(question.what, q::changed_in_kizen);
  m.resume(changed({"first_name"}));
  EXPECT_EQ(m.action().drop_pending, std::vector<std::string>{"first_name"});
  ASSERT_EQ(m.action().decisions.size(), 1u);
  EXPECT_NE(m.action().decisions[0].find("first_name: Kizen wins (kizen_wins"), std::string::npos);
}

TEST(record_match, an_answer_with_no_question_is_an_internal_error_not_a_crash) {
  bound_contacts c;
  const auto rec = record_at(t1);
  auto t = translated("{}");
  t.problems = {"bad"};
  record_match m(c.binding, rec, t, at(t1));
  EXPECT_EQ(m.start().what, q::done);
  m.resume(exists(true));
  EXPECT_EQ(m.action().what, act::fail);
  EXPECT_NE(m.action().reason.find("internal error"), std::string::npos);
}

}  // namespace
