// outcome_policy and reference_wait, branch by branch: what the outbox records for each outcome.
#include "daemon/engine/outbound/outcome_policy.hpp"

#include "tests/unit/bindings_fixture.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

using namespace ks::engine;
using namespace ks::engine::testing;
using ks::key_ref;
using namespace std::chrono_literals;
namespace json = boost::json;
namespace kizen = ks::kizen;

namespace {

using decision = outbound_decision::kind;

merged_change change(int attempts, bool insert = false) {
  merged_change m;
  m.action = merged_change::kind::write;
  m.began_with_insert = insert;
  m.after = json::parse(R"({"id":"1","email":"a@x","first_name":"B","company_id":"9","score":"4"})").as_object();
  m.changed_columns = {"first_name"};
  m.attempts = attempts;
  m.ids = {1, 2};
  return m;
}

outbound_outcome outcome(outbound_outcome::kind what) {
  outbound_outcome o;
  o.what = what;
  o.message = "the reason";
  return o;
}

struct fixture {
  bound_contacts contacts;
  kizen::retry_policy retry{3, 100ms, 1000ms};
  kizen::unit_random half = [] { return 0.5; };
  wait_settings waits{300ms, 30'000ms};
  std::optional<json::object> synced = json::parse(R"({"email":"a@x","first_name":"A"})").as_object();

  outbound_decision decide(const outbound_outcome& o, const merged_change& c,
                           const std::vector<referenced_row>& rows = {}, bool mapped = true) {
    const std::optional<json::object> none;
    const outcome_context ctx{contacts.binding, c, mapped ? synced : none, retry, half, waits};
    return decide_outcome(o, ctx, rows);
  }
  outbound_decision record_failed(const outbound_decision& wanted, const merged_change& c, bool transient) {
    const outcome_context ctx{contacts.binding, c, synced, retry, half, waits};
    return decide_record_failure(wanted, ctx, transient, "ERROR: kizen ids are frozen here");
  }
};

TEST(outcome_policy, an_applied_write_stores_the_identity_with_the_values_sent) {
  fixture f;
  auto o = outcome(outbound_outcome::kind::applied);
  o.entity_id = "0f8fad5b-d9cb-469f-a165-70867728950e";
  const auto d = f.decide(o, change(0));
  EXPECT_EQ(d.what, decision::done);
  EXPECT_TRUE(d.save_identity);
  // The update sent first_name: it joins what was synced before; score is Kizen's, never synced here.
  EXPECT_EQ(json::serialize(d.synced_values), R"({"email":"a@x","first_name":"B"})");
  EXPECT_FALSE(d.forget_identity);
}

TEST(outcome_policy, a_create_syncs_every_sent_column_but_those_left_for_a_follow_up) {
  fixture f;
  auto o = outcome(outbound_outcome::kind::applied);
  o.entity_id = "0f8fad5b-d9cb-469f-a165-70867728950e";
  o.follow_up_columns = {"company_id"};
  const auto d = f.decide(o, change(0, /*insert=*/true), {}, /*mapped=*/false);
  EXPECT_TRUE(d.save_identity);
  // Kizen holds nothing in company_id yet, and that is what is synced: a pull then sees Kizen did
  // not change it and keeps the follow-up, whatever the conflict policy.
  EXPECT_EQ(json::serialize(d.synced_values), R"({"email":"a@x","first_name":"B","company_id":null})");
  EXPECT_EQ(d.follow_up_columns, std::vector<std::string>{"company_id"});
}

TEST(outcome_policy, an_update_that_leaves_a_column_out_keeps_what_was_synced_of_it) {
  fixture f;
  f.synced = json::parse(R"({"email":"a@x","first_name":"A","company_id":"7"})").as_object();
  auto o = outcome(outbound_outcome::kind::applied);
  o.entity_id = "0f8fad5b-d9cb-469f-a165-70867728950e";
  o.follow_up_columns = {"company_id"};
  auto c = change(0);
  c.changed_columns.insert("company_id");
  const auto d = f.decide(o, c);
  EXPECT_EQ(json::serialize(d.synced_values), R"({"email":"a@x","first_name":"B","company_id":"7"})");
}

TEST(outcome_policy, a_forgotten_identity_starts_the_synced_values_afresh) {
  fixture f;
  auto o = outcome(outbound_outcome::kind::applied);
  o.entity_id = "0f8fad5b-d9cb-469f-a165-70867728950e";
  o.forget_identity = true;  // re-created after a 404: everything was sent
  const auto d = f.decide(o, change(0));
  EXPECT_TRUE(d.forget_identity);
  EXPECT_EQ(json::serialize(d.synced_values), R"({"email":"a@x","first_name":"B","company_id":"9"})");
}

TEST(outcome_policy, an_archive_or_nothing_to_do_is_done_without_an_identity) {
  fixture f;
  auto archived = outcome(outbound_outcome::kind::applied);
  archived.entity_id = "0f8fad5b-d9cb-469f-a165-70867728950e";
  archived.forget_identity = true;
  auto del = change(0);
  del.action = merged_change::kind::archive;
  auto d = f.decide(archived, del);
  EXPECT_EQ(d.what, decision::done);
  EXPECT_FALSE(d.save_identity);
  EXPECT_TRUE(d.forget_identity);
  d = f.decide(outcome(outbound_outcome::kind::nothing_to_do), change(0));
  EXPECT_EQ(d.what, decision::done);
  EXPECT_FALSE(d.save_identity);
  // An identity to forget that was never stored: nothing to remove.
  d = f.decide(archived, del, {}, /*mapped=*/false);
  EXPECT_FALSE(d.forget_identity);
}

TEST(outcome_policy, retries_back_off_by_attempt_and_end_in_a_dead_letter) {
  fixture f;
  auto o = outcome(outbound_outcome::kind::retry);
  o.http_status = 503;
  auto d = f.decide(o, change(0));
  EXPECT_EQ(d.what, decision::retry);
  EXPECT_EQ(d.attempts, 1);
  EXPECT_EQ(d.delay, 50ms);  // 100 ms ceiling after one failure, half of it
  EXPECT_EQ(d.http_status, 503);
  d = f.decide(o, change(1));
  EXPECT_EQ(d.attempts, 2);
  EXPECT_EQ(d.delay, 100ms);
  d = f.decide(o, change(2));  // the third attempt of three failed
  EXPECT_EQ(d.what, decision::dead);
  EXPECT_EQ(d.attempts, 3);
  EXPECT_EQ(d.message, "gave up after 3 attempts: the reason");
  EXPECT_EQ(d.http_status, 503);
}

TEST(outcome_policy, the_servers_retry_after_is_a_lower_bound) {
  fixture f;
  auto o = outcome(outbound_outcome::kind::retry);
  o.retry_after = 7s;
  EXPECT_EQ(f.decide(o, change(0)).delay, 7000ms);
}

TEST(outcome_policy, throttling_consumes_no_attempt_and_never_dead_letters) {
  fixture f;
  auto o = outcome(outbound_outcome::kind::retry);
  o.throttled = true;
  o.retry_after = 2s;
  const auto d = f.decide(o, change(9));  // far past max_attempts
  EXPECT_EQ(d.what, decision::retry);
  EXPECT_EQ(d.attempts, 9);
  EXPECT_EQ(d.delay, 2000ms);
  // An add noted as attempted may have landed: that attempt counts.
  o.create_noted = true;
  EXPECT_EQ(f.decide(o, change(9)).attempts, 10);
}

TEST(outcome_policy, a_permanent_failure_is_a_dead_letter_at_once) {
  fixture f;
  auto o = outcome(outbound_outcome::kind::dead);
  o.http_status = 400;
  const auto d = f.decide(o, change(0));
  EXPECT_EQ(d.what, decision::dead);
  EXPECT_EQ(d.attempts, 1);
  EXPECT_EQ(d.message, "the reason");
  EXPECT_EQ(d.http_status, 400);
}

TEST(outcome_policy, a_wait_defers_without_an_attempt_and_queues_rows_never_synced) {
  fixture f;
  auto o = outcome(outbound_outcome::kind::wait);
  o.waiting_for = {{"companies", "9"}, {"companies", "10"}};
  const std::vector<referenced_row> rows{{{"companies", "9"}, referenced_row::state::queued, {}},
                                         {{"companies", "10"}, referenced_row::state::unsynced, {}}};
  const auto d = f.decide(o, change(4), rows);
  EXPECT_EQ(d.what, decision::wait);
  EXPECT_EQ(d.attempts, 4);
  EXPECT_EQ(d.delay, 300ms);
  EXPECT_EQ(d.bring_first, (std::vector<key_ref>{{"companies", "10"}}));
}

// --- reference_wait ----------------------------------------------------------------------------

TEST(reference_wait, each_state_of_a_referenced_row) {
  using s = referenced_row::state;
  const wait_settings waits{300ms, 30'000ms};
  struct row_case {
    s state;
    bool dead;
    std::chrono::milliseconds delay;
    bool queued_first;
    std::string message;
  };
  const std::vector<row_case> table{
      {s::queued, false, 300ms, false, "waiting"},
      {s::synced, false, 300ms, false, "waiting"},
      {s::pulled_only, false, 300ms, false, "waiting"},
      {s::unsynced, false, 300ms, true, "waiting"},
      {s::dead, false, 30'000ms, false, "waiting (one of them is dead-lettered: replay it first)"},
      {s::missing, true, 0ms, false,
       "references rows that do not exist: companies/9 (no such row in public.companies)"},
      {s::not_configured, true, 0ms, false, "references rows that do not exist: companies/9 (object not configured)"},
  };
  for (const auto& c : table) {
    SCOPED_TRACE(static_cast<int>(c.state));
    const auto d = decide_wait({{{"companies", "9"}, c.state, "public.companies"}}, "waiting", waits);
    EXPECT_EQ(d.dead, c.dead);
    EXPECT_EQ(d.delay, c.delay);
    EXPECT_EQ(!d.bring_first.empty(), c.queued_first);
    EXPECT_EQ(d.message, c.message);
  }
}

TEST(reference_wait, a_missing_row_makes_the_change_dead_but_rows_never_synced_are_still_queued) {
  using s = referenced_row::state;
  const auto d = decide_wait({{{"companies", "9"}, s::unsynced, {}},
                              {{"companies", "8"}, s::missing, "public.companies"},
                              {{"deals", "1"}, s::not_configured, {}}},
                             "waiting", {});
  EXPECT_TRUE(d.dead);
  EXPECT_EQ(d.message,
            "references rows that do not exist: companies/8 (no such row in public.companies), "
            "deals/1 (object not configured)");
  EXPECT_EQ(d.bring_first, (std::vector<key_ref>{{"companies", "9"}}));
}

TEST(reference_wait, a_create_waits_only_for_rows_that_cannot_wait_back) {
  struct head_case {
    std::string name;
    reference_head head;
    bool waits;
  };
  const std::vector<head_case> table{
      {"an older pending change", {10, true, true, false, true}, true},
      {"a newer pending change (it may wait for us)", {30, true, true, false, true}, false},
      {"an older dead change (replay it; the create goes without)", {10, false, true, false, true}, false},
      {"nothing queued, a plain row that predates migrate", {std::nullopt, false, true, false, true}, true},
      {"nothing queued, but the row has references of its own", {std::nullopt, false, true, true, true}, false},
      {"nothing queued, a from_kizen object", {std::nullopt, false, false, false, true}, false},
      {"nothing queued, no such row", {std::nullopt, false, true, false, false}, false},
  };
  for (const auto& c : table) EXPECT_EQ(create_waits_for(c.head, 20), c.waits) << c.name;
}

}  // namespace

TEST(outcome_policy, a_result_postgres_refuses_to_record_is_a_dead_letter_that_keeps_the_identity) {
  fixture f;
  auto o = outcome(outbound_outcome::kind::applied);
  o.entity_id = "0f8fad5b-d9cb-469f-a165-70867728950e";
  const auto wanted = f.decide(o, change(0, /*insert=*/true));
  ASSERT_TRUE(wanted.save_identity);
  const auto d = f.record_failed(wanted, change(0, true), /*transient=*/false);
  EXPECT_EQ(d.what, decision::dead);
  EXPECT_EQ(d.attempts, 1);
  EXPECT_EQ(d.message,
            "Kizen applied the change, but recording the outcome in PostgreSQL failed: ERROR: kizen ids are frozen "
            "here");
  // Kizen holds the record: the replay after the fix must update it, not add another.
  EXPECT_TRUE(d.save_identity);
  EXPECT_EQ(json::serialize(d.synced_values), json::serialize(wanted.synced_values));
  EXPECT_TRUE(d.follow_up_columns.empty());
}

TEST(outcome_policy, a_transient_failure_to_record_spends_an_attempt_then_gives_up) {
  fixture f;
  auto wanted = f.decide(outcome(outbound_outcome::kind::retry), change(0));
  ASSERT_EQ(wanted.what, decision::retry);
  auto d = f.record_failed(wanted, change(0), /*transient=*/true);
  EXPECT_EQ(d.what, decision::retry);
  EXPECT_EQ(d.attempts, 1);
  EXPECT_EQ(d.delay, 50ms);
  EXPECT_FALSE(d.save_identity);  // Kizen applied nothing
  EXPECT_EQ(d.message, "recording the outcome in PostgreSQL failed: ERROR: kizen ids are frozen here");
  d = f.record_failed(wanted, change(2), /*transient=*/true);  // the third of three
  EXPECT_EQ(d.what, decision::dead);
  EXPECT_EQ(d.attempts, 3);
  EXPECT_EQ(d.message.rfind("gave up after 3 attempts: recording the outcome", 0), 0u) << d.message;
}

TEST(outcome_policy, a_retry_after_an_add_waits_until_search_can_show_the_record) {
  fixture f;
  auto o = outcome(outbound_outcome::kind::retry);
  EXPECT_EQ(f.decide(o, change(0, /*insert=*/true)).delay, 50ms);  // nothing was added: back off as usual
  o.create_noted = true;                                           // an add went out; its answer was lost
  const auto d = f.decide(o, change(0, /*insert=*/true));
  EXPECT_EQ(d.what, decision::retry);
  EXPECT_EQ(d.delay, f.waits.search_visibility);
  EXPECT_EQ(d.delay, 5000ms);
}
