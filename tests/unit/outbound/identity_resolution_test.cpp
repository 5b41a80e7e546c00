// identity_resolution, branch by branch: each case gives the change, the replies Kizen sends, and
// expects the calls made and the outcome. No sockets: the state machine only says what to call.
#include "daemon/engine/outbound/identity_resolution.hpp"

#include "tests/unit/bindings_fixture.hpp"

#include <boost/json/parse.hpp>
#include <functional>
#include <map>

using namespace ks::engine;
using namespace ks::engine::testing;
using ks::key_ref;
namespace json = boost::json;
namespace kizen = ks::kizen;
namespace config = ks::config;

namespace {

constexpr const char* known_id = "0f8fad5b-d9cb-469f-a165-70867728950e";
constexpr const char* column_id = "1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed";
constexpr const char* found_id = "6ec0bd7f-11c0-43da-975e-2a8ad9ebae0b";
constexpr const char* made_id = "9b2e6c1a-3f4d-4e5f-8a9b-0c1d2e3f4a5b";

using call_kind = kizen_call::kind;
using outcome_kind = outbound_outcome::kind;

kizen::record rec(const std::string& id) {
  kizen::record r;
  r.id = id;
  return r;
}

kizen::error http(int status) {
  kizen::error e;
  e.kind = kizen::error_kind::http;
  e.http_status = status;
  e.retryable = status == 429 || status >= 500;
  e.throttled = status == 429;
  e.message = "HTTP " + std::to_string(status);
  return e;
}

merged_change write_change(const char* after, int attempts = 0, std::vector<const char*> earlier = {},
                           bool insert = true) {
  merged_change m;
  m.action = merged_change::kind::write;
  m.began_with_insert = insert;
  m.after = json::parse(after).as_object();
  for (const auto* e : earlier) m.images.push_back(json::parse(e).as_object());
  m.images.push_back(m.after);
  m.attempts = attempts;
  m.ids = {1};
  if (!insert) m.changed_columns = {"first_name"};
  return m;
}

merged_change delete_change(const char* before, int attempts = 0, std::vector<const char*> images = {}) {
  merged_change m;
  m.action = merged_change::kind::archive;
  m.before = json::parse(before).as_object();
  for (const auto* i : images) m.images.push_back(json::parse(i).as_object());
  m.attempts = attempts;
  m.ids = {1};
  return m;
}

// A call as the test expects it: its kind and the entity id or value it names ("" = not checked).
struct expected_call {
  call_kind what;
  std::string names;
  kizen_reply reply;
};

struct resolution_case {
  std::string name;
  std::function<merged_change()> change;
  std::optional<std::string> known;
  std::vector<expected_call> calls;
  outcome_kind outcome;
  std::string path_or_message;  // applied: the path; otherwise a part of the message
  std::optional<std::string> entity = std::nullopt;
  bool forget_identity = false;
  std::function<config::object_mapping()> mapping = contacts_mapping;
};

std::string names_of(const kizen_call& c) {
  switch (c.what) {
    case call_kind::patch:
    case call_kind::archive: return c.entity_id;
    case call_kind::lookup:
    case call_kind::upsert: return c.value;
    case call_kind::search: return c.query.field_names.empty() ? "" : c.query.field_names.front();
    case call_kind::add: return "";
  }
  return "";
}

// Without a lookup and with match_field: search, then PATCH or add.
config::object_mapping matched_mapping() {
  auto m = contacts_mapping();
  m.lookup.reset();
  m.match_field = "external_id";
  return m;
}

// Neither lookup nor match_field: creates are plain adds.
config::object_mapping bare_mapping() {
  auto m = contacts_mapping();
  m.lookup.reset();
  m.entity_id_column.reset();
  return m;
}

const kizen_id_lookup no_references = [](const key_ref&) -> std::optional<std::string> { return std::nullopt; };

std::vector<resolution_case> cases() {
  using r = kizen_reply;
  return {
      // --- deletes ---
      {"a mapped delete archives the record",
       [] { return delete_change(R"({"id":"1"})"); },
       known_id,
       {{call_kind::archive, known_id, r::nothing()}},
       outcome_kind::applied,
       "archive",
       known_id,
       true},
      {"an archive answered 404 was archived already",
       [] { return delete_change(R"({"id":"1"})"); },
       known_id,
       {{call_kind::archive, known_id, r::failed(http(404))}},
       outcome_kind::applied,
       "archive (already gone)",
       known_id,
       true},
      {"an archive failing with 503 is retried",
       [] { return delete_change(R"({"id":"1"})"); },
       known_id,
       {{call_kind::archive, known_id, r::failed(http(503))}},
       outcome_kind::retry,
       "DELETE client_client"},
      {"an unmapped delete archives the record its entity_id_column names",
       [] { return delete_change(R"({"id":"1","kizen_id":"1B9D6BCD-BBFD-4B2D-9B5D-AB8DFBBD4BED"})"); },
       std::nullopt,
       {{call_kind::archive, column_id, r::nothing()}},
       outcome_kind::applied,
       "archive",
       column_id,
       true},
      {"a row deleted before it was ever sent has nothing to archive",
       [] { return delete_change(R"({"id":"1","kizen_id":"not a uuid"})"); },
       std::nullopt,
       {},
       outcome_kind::nothing_to_do,
       "deleted before it reached Kizen"},
      {"after an attempted create, a delete looks under the lookup values, newest first",
       [] {
         return delete_change(R"({"id":"1"})", 1, {R"({"id":"1","email":"a@x"})", R"({"id":"1","email":"b@x"})"});
       },
       std::nullopt,
       {{call_kind::lookup, "b@x", r::nothing()},
        {call_kind::lookup, "a@x", r::of(rec(found_id))},
        {call_kind::archive, found_id, r::nothing()}},
       outcome_kind::applied,
       "archive",
       found_id,
       true},
      {"a lookup failing during that search is retried",
       [] { return delete_change(R"({"id":"1"})", 1, {R"({"id":"1","email":"a@x"})"}); },
       std::nullopt,
       {{call_kind::lookup, "a@x", r::failed(http(502))}},
       outcome_kind::retry,
       "lookup client_client"},
      {"without lookup, a delete after an attempted create searches match_field",
       [] { return delete_change(R"({"id":"1"})", 1, {R"({"id":"7"})"}); },
       std::nullopt,
       {{call_kind::search, "external_id", r::found(1, {found_id})}, {call_kind::archive, found_id, r::nothing()}},
       outcome_kind::applied,
       "archive",
       found_id,
       true,
       matched_mapping},
      {"a match_field search finding nothing leaves nothing to archive",
       [] { return delete_change(R"({"id":"1"})", 1, {R"({"id":"7"})"}); },
       std::nullopt,
       {{call_kind::search, "external_id", r::found(0, {})}},
       outcome_kind::nothing_to_do,
       "nothing to archive",
       std::nullopt,
       false,
       matched_mapping},
      {"a match_field search finding two records is a dead letter",
       [] { return delete_change(R"({"id":"1"})", 1, {R"({"id":"7"})"}); },
       std::nullopt,
       {{call_kind::search, "external_id", r::found(2, {found_id, made_id})}},
       outcome_kind::dead,
       "2 Kizen records of client_client have external_id = '7'",
       std::nullopt,
       false,
       matched_mapping},
      {"a match_field search failing is retried",
       [] { return delete_change(R"({"id":"1"})", 1, {R"({"id":"7"})"}); },
       std::nullopt,
       {{call_kind::search, "external_id", r::failed(http(500))}},
       outcome_kind::retry,
       "search client_client",
       std::nullopt,
       false,
       matched_mapping},

      // --- updates of mapped rows ---
      {"a mapped row is PATCHed",
       [] { return write_change(R"({"id":"1","email":"a@x","first_name":"B"})", 0, {}, false); },
       known_id,
       {{call_kind::patch, known_id, r::of(rec(known_id))}},
       outcome_kind::applied,
       "patch",
       known_id},
      {"a PATCH refused with 400 is a dead letter",
       [] { return write_change(R"({"id":"1","email":"a@x","first_name":"B"})", 0, {}, false); },
       known_id,
       {{call_kind::patch, known_id, r::failed(http(400))}},
       outcome_kind::dead,
       "PATCH client_client"},
      {"a PATCH answered 404 resolves the identity again as a create, forgetting the stale one",
       [] { return write_change(R"({"id":"1","email":"a@x","first_name":"B"})", 0, {}, false); },
       known_id,
       {{call_kind::patch, known_id, r::failed(http(404))},
        {call_kind::upsert, "a@x", r::upserted(rec(made_id), kizen::upsert_action::created)}},
       outcome_kind::applied,
       "upsert (created)",
       made_id,
       true},
      {"a value the field cannot take is a dead letter before any request",
       [] {
         auto m = write_change(R"({"id":"1","stage":"Nope"})", 0, {}, false);
         m.changed_columns = {"stage"};
         return m;
       },
       known_id,
       {},
       outcome_kind::dead,
       "'Nope' is not an option of 'stage'"},
      {"an update of a reference without a Kizen id waits for it",
       [] {
         auto m = write_change(R"({"id":"1","company_id":"9"})", 0, {}, false);
         m.changed_columns = {"company_id"};
         return m;
       },
       known_id,
       {},
       outcome_kind::wait,
       "companies/9"},
      {"an update of Kizen-owned columns only has nothing to send",
       [] {
         auto m = write_change(R"({"id":"1","score":"3"})", 0, {}, false);
         m.changed_columns = {"score"};
         return m;
       },
       known_id,
       {},
       outcome_kind::nothing_to_do,
       "no mapped field to send",
       known_id},

      // --- creates ---
      {"a create PATCHes the record its entity_id_column names",
       [] { return write_change(R"({"id":"1","email":"a@x","kizen_id":"1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed"})"); },
       std::nullopt,
       {{call_kind::patch, column_id, r::of(rec(column_id))}},
       outcome_kind::applied,
       "patch (entity_id_column)",
       column_id},
      {"a stale entity_id_column (404) falls through to the upsert",
       [] { return write_change(R"({"id":"1","email":"a@x","kizen_id":"1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed"})"); },
       std::nullopt,
       {{call_kind::patch, column_id, r::failed(http(404))},
        {call_kind::upsert, "a@x", r::upserted(rec(made_id), kizen::upsert_action::updated)}},
       outcome_kind::applied,
       "upsert (updated)",
       made_id},
      {"an entity_id_column PATCH failing otherwise is retried",
       [] { return write_change(R"({"id":"1","email":"a@x","kizen_id":"1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed"})"); },
       std::nullopt,
       {{call_kind::patch, column_id, r::failed(http(503))}},
       outcome_kind::retry,
       "PATCH client_client"},
      {"the id that just answered 404 is not tried again from the column",
       [] {
         return write_change(
             R"({"id":"1","email":"a@x","first_name":"B","kizen_id":"0f8fad5b-d9cb-469f-a165-70867728950e"})", 0, {},
             false);
       },
       known_id,
       {{call_kind::patch, known_id, r::failed(http(404))},
        {call_kind::upsert, "a@x", r::upserted(rec(made_id), kizen::upsert_action::created)}},
       outcome_kind::applied,
       "upsert (created)",
       made_id,
       true},
      {"a create upserts by the lookup value",
       [] { return write_change(R"({"id":"1","email":"a@x"})"); },
       std::nullopt,
       {{call_kind::upsert, "a@x", r::upserted(rec(made_id), kizen::upsert_action::unarchived)}},
       outcome_kind::applied,
       "upsert (unarchived)",
       made_id},
      {"an upsert failing is retried",
       [] { return write_change(R"({"id":"1","email":"a@x"})"); },
       std::nullopt,
       {{call_kind::upsert, "a@x", r::failed(http(429))}},
       outcome_kind::retry,
       "upsert client_client"},
      {"after an attempt, a create first looks under the lookup values the row had since",
       [] {
         return write_change(R"({"id":"1","email":"c@x"})", 1,
                             {R"({"id":"1","email":"a@x"})", R"({"id":"1","email":"b@x"})"});
       },
       std::nullopt,
       {{call_kind::lookup, "b@x", r::nothing()},
        {call_kind::lookup, "a@x", r::of(rec(found_id))},
        {call_kind::patch, found_id, r::of(rec(found_id))}},
       outcome_kind::applied,
       "patch (found under an earlier lookup value)",
       found_id},
      {"nothing under the earlier values: the upsert goes out",
       [] { return write_change(R"({"id":"1","email":"c@x"})", 1, {R"({"id":"1","email":"a@x"})"}); },
       std::nullopt,
       {{call_kind::lookup, "a@x", r::nothing()},
        {call_kind::upsert, "c@x", r::upserted(rec(made_id), kizen::upsert_action::created)}},
       outcome_kind::applied,
       "upsert (created)",
       made_id},
      {"an earlier-value lookup failing is retried",
       [] { return write_change(R"({"id":"1","email":"c@x"})", 1, {R"({"id":"1","email":"a@x"})"}); },
       std::nullopt,
       {{call_kind::lookup, "a@x", r::failed(http(500))}},
       outcome_kind::retry,
       "lookup client_client"},
      {"the PATCH of a record found under an earlier value failing is retried",
       [] { return write_change(R"({"id":"1","email":"c@x"})", 1, {R"({"id":"1","email":"a@x"})"}); },
       std::nullopt,
       {{call_kind::lookup, "a@x", r::of(rec(found_id))}, {call_kind::patch, found_id, r::failed(http(500))}},
       outcome_kind::retry,
       "PATCH client_client"},
      {"without lookup, a create PATCHes the record match_field finds",
       [] { return write_change(R"({"id":"7","email":"a@x"})"); },
       std::nullopt,
       {{call_kind::search, "external_id", r::found(1, {found_id})},
        {call_kind::patch, found_id, r::of(rec(found_id))}},
       outcome_kind::applied,
       "patch (match_field)",
       found_id,
       false,
       matched_mapping},
      {"match_field finding nothing: the record is added",
       [] { return write_change(R"({"id":"7","email":"a@x"})"); },
       std::nullopt,
       {{call_kind::search, "external_id", r::found(0, {})}, {call_kind::add, "", r::of(rec(made_id))}},
       outcome_kind::applied,
       "add",
       made_id,
       false,
       matched_mapping},
      {"match_field finding duplicates is a dead letter",
       [] { return write_change(R"({"id":"7","email":"a@x"})"); },
       std::nullopt,
       {{call_kind::search, "external_id", r::found(3, {found_id, made_id})}},
       outcome_kind::dead,
       "3 Kizen records of client_client have external_id = '7'",
       std::nullopt,
       false,
       matched_mapping},
      {"a match_field search failing is retried before anything is added",
       [] { return write_change(R"({"id":"7","email":"a@x"})"); },
       std::nullopt,
       {{call_kind::search, "external_id", r::failed(http(500))}},
       outcome_kind::retry,
       "search client_client",
       std::nullopt,
       false,
       matched_mapping},
      {"the PATCH of the record match_field found failing is retried",
       [] { return write_change(R"({"id":"7","email":"a@x"})"); },
       std::nullopt,
       {{call_kind::search, "external_id", r::found(1, {found_id})},
        {call_kind::patch, found_id, r::failed(http(500))}},
       outcome_kind::retry,
       "PATCH client_client",
       std::nullopt,
       false,
       matched_mapping},
      {"neither lookup nor match_field: the record is added",
       [] { return write_change(R"({"id":"7","email":"a@x"})"); },
       std::nullopt,
       {{call_kind::add, "", r::of(rec(made_id))}},
       outcome_kind::applied,
       "add",
       made_id,
       false,
       bare_mapping},
      {"an add failing is retried",
       [] { return write_change(R"({"id":"7","email":"a@x"})"); },
       std::nullopt,
       {{call_kind::add, "", r::failed(http(500))}},
       outcome_kind::retry,
       "add client_client",
       std::nullopt,
       false,
       bare_mapping},
  };
}

TEST(identity_resolution, each_branch_makes_the_calls_and_comes_to_the_outcome) {
  for (const auto& c : cases()) {
    SCOPED_TRACE(c.name);
    bound_object b(c.mapping(), contact_fields());
    const auto change = c.change();
    identity_resolution resolution(b.binding, change, c.known, no_references);
    auto step = resolution.start();
    std::size_t i = 0;
    for (; step.what == resolution_step::kind::call; ++i) {
      ASSERT_LT(i, c.calls.size()) << "an unexpected call of kind " << static_cast<int>(step.call.what);
      EXPECT_EQ(step.call.what, c.calls[i].what) << "call " << i;
      if (!c.calls[i].names.empty()) {
        EXPECT_EQ(names_of(step.call), c.calls[i].names) << "call " << i;
      }
      step = resolution.resume(c.calls[i].reply);
    }
    EXPECT_EQ(i, c.calls.size()) << "calls expected but not made";
    const auto& o = resolution.outcome();
    EXPECT_EQ(o.what, c.outcome);
    if (o.what == outcome_kind::applied) {
      EXPECT_EQ(o.path, c.path_or_message);
    } else {
      EXPECT_NE(o.message.find(c.path_or_message), std::string::npos) << o.message;
    }
    EXPECT_EQ(o.entity_id, c.entity);
    EXPECT_EQ(o.forget_identity, c.forget_identity);
    EXPECT_EQ(o.requests, static_cast<int>(c.calls.size()));
  }
}

TEST(identity_resolution, creating_calls_are_flagged_to_be_noted_first_and_updates_are_not) {
  bound_contacts c;
  const auto create = write_change(R"({"id":"1","email":"a@x"})");
  identity_resolution upsert(c.binding, create, std::nullopt, no_references);
  const auto step = upsert.start();
  EXPECT_TRUE(step.call.creates);
  EXPECT_EQ(step.call.upsert.oncreate_unarchive,
            kizen::unarchive_mode::unarchive);  // the row exists: so must the record

  const auto update = write_change(R"({"id":"1","first_name":"B"})", 0, {}, false);
  identity_resolution patch(c.binding, update, std::string(known_id), no_references);
  EXPECT_FALSE(patch.start().call.creates);
}

TEST(identity_resolution, a_retried_add_that_nothing_can_find_again_warns_of_a_duplicate) {
  bound_object b(bare_mapping(), contact_fields());
  const auto first = write_change(R"({"id":"7","email":"a@x"})", 0);
  identity_resolution fresh(b.binding, first, std::nullopt, no_references);
  EXPECT_FALSE(fresh.start().may_duplicate);
  const auto again = write_change(R"({"id":"7","email":"a@x"})", 1);
  identity_resolution retried(b.binding, again, std::nullopt, no_references);
  const auto step = retried.start();
  EXPECT_EQ(step.call.what, call_kind::add);
  EXPECT_TRUE(step.may_duplicate);
}

TEST(identity_resolution, a_create_without_a_referenced_id_goes_out_and_follows_up) {
  bound_contacts c;
  const auto create = write_change(R"({"id":"1","email":"a@x","company_id":"9"})");
  identity_resolution r(c.binding, create, std::nullopt, no_references);
  auto step = r.start();
  ASSERT_EQ(step.call.what, call_kind::upsert);
  for (const auto& w : step.call.writes) EXPECT_NE(w.field, "company") << "sent without its reference";
  step = r.resume(kizen_reply::upserted(rec(made_id), kizen::upsert_action::created));
  EXPECT_EQ(step.what, resolution_step::kind::done);
  EXPECT_EQ(r.outcome().follow_up_columns, std::vector<std::string>{"company_id"});

  // With the reference known, it is sent at once and nothing follows.
  const kizen_id_lookup known_company = [](const key_ref& ref) -> std::optional<std::string> {
    if (ref == key_ref{"companies", "9"}) return std::string(found_id);
    return std::nullopt;
  };
  identity_resolution with(c.binding, create, std::nullopt, known_company);
  step = with.start();
  const bool sent = std::any_of(step.call.writes.begin(), step.call.writes.end(),
                                [](const kizen::field_write& w) { return w.field == "company"; });
  EXPECT_TRUE(sent);
  with.resume(kizen_reply::upserted(rec(made_id), kizen::upsert_action::created));
  EXPECT_TRUE(with.outcome().follow_up_columns.empty());
}

TEST(identity_resolution, the_404_that_restarts_the_cascade_is_explained) {
  bound_contacts c;
  const auto update = write_change(R"({"id":"1","email":"a@x","first_name":"B"})", 0, {}, false);
  identity_resolution r(c.binding, update, std::string(known_id), no_references);
  EXPECT_TRUE(r.start().note.empty());
  const auto step = r.resume(kizen_reply::failed(http(404)));
  EXPECT_NE(step.note.find("resolving the identity again"), std::string::npos);
}

TEST(identity_resolution, a_reply_with_no_call_in_flight_is_an_internal_error_not_a_crash) {
  bound_contacts c;
  auto update = write_change(R"({"id":"1","score":"2"})", 0, {}, false);
  update.changed_columns = {"score"};  // Kizen's: nothing to send, done at once
  identity_resolution r(c.binding, update, std::string(known_id), no_references);
  EXPECT_EQ(r.start().what, resolution_step::kind::done);
  r.resume(kizen_reply::nothing());
  EXPECT_EQ(r.outcome().what, outcome_kind::dead);
  EXPECT_NE(r.outcome().message.find("internal error"), std::string::npos);
}

}  // namespace
