#include "daemon/engine/outbound/outcome_policy.hpp"

#include <algorithm>

namespace ks::engine {

boost::json::object synced_after(const object_binding& object, const merged_change& change,
                                 const std::optional<boost::json::object>& synced_before, bool identity_forgotten,
                                 const std::vector<std::string>& left_out) {
  const bool mapped = synced_before && !identity_forgotten;
  boost::json::object synced = mapped ? *synced_before : boost::json::object{};
  for (const auto& f : object.fields) {
    if (!f.sends()) continue;
    const auto& column = f.mapping->column;
    // A create (or a rewrite of a record the identity map did not know) sends every column.
    const bool sent = change.began_with_insert || !mapped || change.changed_columns.count(column) > 0;
    if (!sent) continue;
    if (std::find(left_out.begin(), left_out.end(), column) != left_out.end()) {
      // Left for a follow-up (a reference not resolved yet): after a create Kizen holds nothing
      // there, and that is synced, so a pull sees Kizen did not change it and keeps the follow-up.
      if (change.began_with_insert || !mapped) synced[column] = nullptr;
      continue;
    }
    if (const auto it = change.after.find(column); it != change.after.end()) synced[column] = it->value();
  }
  return synced;
}

outbound_decision decide_outcome(const outbound_outcome& outcome, const outcome_context& context,
                                 const std::vector<referenced_row>& rows) {
  const int attempts = context.change.attempts + 1;
  outbound_decision d;
  d.forget_identity = outcome.forget_identity && context.synced_before.has_value();
  d.message = outcome.message;
  d.http_status = outcome.http_status;
  d.attempts = attempts;
  switch (outcome.what) {
    case outbound_outcome::kind::applied:
    case outbound_outcome::kind::nothing_to_do:
      d.what = outbound_decision::kind::done;
      if (outcome.what == outbound_outcome::kind::applied && context.change.action == merged_change::kind::write &&
          outcome.entity_id) {
        d.save_identity = true;
        d.synced_values = synced_after(context.object, context.change, context.synced_before, outcome.forget_identity,
                                       outcome.follow_up_columns);
        d.follow_up_columns = outcome.follow_up_columns;
      }
      return d;

    case outbound_outcome::kind::retry: {
      const int counted = outcome.throttled && !outcome.create_noted ? context.change.attempts : attempts;
      if (!outcome.throttled && !context.retry.should_retry(attempts)) {
        d.what = outbound_decision::kind::dead;
        d.message = "gave up after " + std::to_string(attempts) + " attempts: " + outcome.message;
        return d;
      }
      d.what = outbound_decision::kind::retry;
      d.attempts = counted;
      d.delay = context.retry.next_delay(std::max(counted, 1), context.random, outcome.retry_after);
      // An add went out and may have created the record: the next attempt searches for it, and
      // Kizen's search shows it only after a while.
      if (outcome.create_noted) d.delay = std::max(d.delay, context.waits.search_visibility);
      return d;
    }

    case outbound_outcome::kind::dead: d.what = outbound_decision::kind::dead; return d;

    case outbound_outcome::kind::wait: {
      const auto w = decide_wait(rows, outcome.message, context.waits);
      d.what = w.dead ? outbound_decision::kind::dead : outbound_decision::kind::wait;
      d.message = w.message;
      d.delay = w.delay;
      d.bring_first = w.bring_first;
      d.http_status.reset();
      d.attempts = w.dead ? attempts : context.change.attempts;
      return d;
    }
  }
  return d;
}

outbound_decision decide_record_failure(const outbound_decision& wanted, const outcome_context& context, bool transient,
                                        const std::string& error) {
  const int attempts = context.change.attempts + 1;
  const bool applied = wanted.what == outbound_decision::kind::done && wanted.save_identity;
  outbound_decision d;
  d.attempts = attempts;
  d.message = std::string(applied ? "Kizen applied the change, but " : "") +
              "recording the outcome in PostgreSQL failed: " + error;
  d.forget_identity = wanted.forget_identity && !applied;
  if (applied) {
    d.save_identity = true;
    d.synced_values = wanted.synced_values;
  }
  if (transient && context.retry.should_retry(attempts)) {
    d.what = outbound_decision::kind::retry;
    d.delay = context.retry.next_delay(attempts, context.random);
  } else {
    d.what = outbound_decision::kind::dead;
    if (transient) d.message = "gave up after " + std::to_string(attempts) + " attempts: " + d.message;
  }
  return d;
}

}  // namespace ks::engine
