#include "daemon/engine/outbound/change_applier.hpp"

#include "common/log_line.hpp"
#include "daemon/engine/outbound/identity_resolution.hpp"

namespace ks::engine {

namespace net = boost::asio;

namespace {

// The reply to `call`, as identity_resolution reads it.
net::awaitable<kizen_reply> make_call(kizen::client& client, const std::string& object, kizen_call call,
                                      kizen::call_options options) {
  switch (call.what) {
    case kizen_call::kind::patch: {
      auto r = co_await client.patch_record(object, call.entity_id, std::move(call.writes), false, false, options);
      if (!r) co_return kizen_reply::failed(std::move(r).error());
      co_return kizen_reply::of(std::move(*r));
    }
    case kizen_call::kind::lookup: {
      auto r = co_await client.lookup_record(object, call.value, {}, false, options);
      if (!r) co_return kizen_reply::failed(std::move(r).error());
      if (!*r) co_return kizen_reply::nothing();
      co_return kizen_reply::of(std::move(**r));
    }
    case kizen_call::kind::upsert: {
      auto r = co_await client.upsert_record(object, call.value, std::move(call.writes), call.upsert, options);
      if (!r) co_return kizen_reply::failed(std::move(r).error());
      co_return kizen_reply::upserted(std::move(r->rec), r->action);
    }
    case kizen_call::kind::search: {
      auto r = co_await client.search_records(object, std::move(call.query), std::nullopt, options);
      if (!r) co_return kizen_reply::failed(std::move(r).error());
      std::vector<std::string> ids;
      for (const auto& rec : r->results) ids.push_back(rec.id);
      co_return kizen_reply::found(r->count, std::move(ids));
    }
    case kizen_call::kind::add: {
      auto r = co_await client.add_record(object, std::move(call.writes), kizen::unarchive_mode::server_default, options);
      if (!r) co_return kizen_reply::failed(std::move(r).error());
      co_return kizen_reply::of(std::move(*r));
    }
    case kizen_call::kind::archive: {
      auto r = co_await client.archive_record(object, call.entity_id, options);
      if (!r) co_return kizen_reply::failed(std::move(r).error());
      co_return kizen_reply::nothing();
    }
  }
  co_return kizen_reply::nothing();
}

// The key's lease would end before another request could: stop here, nothing more is sent. No
// attempt is spent (the request was not made); the next claim goes on where this one stopped.
outbound_outcome lease_ran_out(const merged_change& change, int requests) {
  outbound_outcome o;
  o.what = outbound_outcome::kind::retry;
  o.throttled = true;
  o.create_noted = false;
  o.requests = requests;
  o.message = "the key's lease ran out before the next request could start (" + std::to_string(change.ids.size()) +
              " changes stay queued)";
  return o;
}

}  // namespace

change_applier::change_applier(kizen::client& client, std::shared_ptr<spdlog::logger> logger)
    : client_(client), logger_(std::move(logger)) {}

net::awaitable<outbound_outcome> change_applier::apply(const object_binding& object, const merged_change& change,
                                                       const std::optional<std::string>& known_entity_id,
                                                       const kizen_id_lookup& references,
                                                       const before_create_hook& before_create,
                                                       std::optional<std::chrono::steady_clock::time_point> start_by) {
  const auto& name = object.mapping->object;
  const auto out_of_time = [&] { return start_by && std::chrono::steady_clock::now() > *start_by; };
  int requests = 0;
  identity_resolution resolution(object, change, known_entity_id, references);
  bool noted = false;
  auto step = resolution.start();
  while (step.what == resolution_step::kind::call) {
    if (!step.note.empty())
      logger_->info(log_line(step.note, {{"object", name}, {"entity_id", known_entity_id.value_or("")}}));
    if (step.may_duplicate)
      logger_->warn(
          log_line("retrying an add without lookup or match_field: a lost earlier response "
                   "may leave a duplicate record",
                   {{"object", name}, {"attempt", change.attempts + 1}}));
    if (out_of_time()) co_return lease_ran_out(change, requests);
    if (step.call.creates && before_create) {
      co_await before_create();
      noted = true;
    }
    const auto reply = co_await make_call(client_, name, std::move(step.call), kizen::call_options{start_by});
    if (reply.error && reply.error->kind == kizen::error_kind::cancelled && out_of_time()) {
      auto o = lease_ran_out(change, requests);
      o.create_noted = noted;  // noted before it was (not) sent: the next try looks first anyway
      co_return o;
    }
    ++requests;
    step = resolution.resume(reply);
  }
  outbound_outcome outcome = resolution.outcome();
  outcome.create_noted = noted;
  co_return outcome;
}

}  // namespace ks::engine
