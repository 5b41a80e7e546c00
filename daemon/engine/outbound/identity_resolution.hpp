#pragma once
// Which Kizen record one merged change goes to, and the requests that apply it there: a sans-I/O
// state machine. It says which Kizen call to make next; the caller (change_applier) makes it and
// feeds the reply back, until the resolution is done and its outcome is known.
//
//   identity_resolution r(binding, change, known_entity_id, references);
//   for (auto step = r.start(); step.what == resolution_step::kind::call; step = r.resume(reply))
//     reply = <make step.call>;
//   outbound_outcome outcome = r.outcome();
//
// The cascade, in order:
// - a delete archives the known record (or the one named by entity_id_column, or, after an
//   attempt that may have created one, the one found by the earlier lookup values or match_field);
// - a mapped row is PATCHed with its changed fields; a 404 (archived in Kizen) drops the identity
//   and resolves again, once, as a create;
// - a create PATCHes the record the row's entity_id_column names (a 404 falls through), then
//   upserts by the lookup value (safe to retry; after an attempt that may have landed, first looks
//   under the lookup values the row had since), then searches match_field and PATCHes what it
//   finds, and only then adds.
// Upserts and adds are flagged `creates`: the caller notes the attempt before sending them, so a
// retry (or a restarted daemon) knows a record may exist.

#include "connectors/kizen/error.hpp"
#include "connectors/kizen/field_write.hpp"
#include "connectors/kizen/record.hpp"
#include "connectors/kizen/request_builder.hpp"
#include "connectors/kizen/search_query.hpp"
#include "daemon/engine/mapping/field_binding.hpp"
#include "daemon/engine/outbound/merged_change.hpp"
#include "daemon/engine/outbound/outbound_outcome.hpp"
#include "daemon/engine/outbound/write_plan.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ks::engine {

// One Kizen request the resolution wants made.
struct kizen_call {
  enum class kind { patch, lookup, upsert, search, add, archive };
  kind what = kind::patch;
  std::string entity_id;                   // patch, archive
  std::string value;                       // lookup, upsert: the lookup value
  std::vector<kizen::field_write> writes;  // patch, upsert, add
  kizen::upsert_options upsert;            // upsert
  kizen::search_query query;               // search (by match_field)
  // upsert, add: may create a record; note the attempt before sending it.
  bool creates = false;
};

// What that request came back with.
struct kizen_reply {
  std::optional<kizen::error> error;           // the request failed
  std::optional<kizen::record> record;         // patch, upsert, add; lookup: the record found
  std::optional<kizen::upsert_action> action;  // upsert
  std::int64_t count = 0;                      // search: how many records match in all
  std::vector<std::string> ids;                // search: the ids of the first matches

  static kizen_reply failed(kizen::error e);
  static kizen_reply of(kizen::record r);                                      // patch, add, lookup found
  static kizen_reply upserted(kizen::record r, kizen::upsert_action a);        // upsert
  static kizen_reply nothing();                                                // lookup not found, archive done
  static kizen_reply found(std::int64_t count, std::vector<std::string> ids);  // search
};

struct resolution_step {
  enum class kind { call, done };
  kind what = kind::done;
  kizen_call call;  // kind call
  // Worth an operator's attention before the call is made (info level), e.g. why the identity is
  // resolved again; empty otherwise.
  std::string note;
  // An add retried with neither lookup nor match_field to find an earlier one: a lost answer may
  // leave a duplicate record (warn level).
  bool may_duplicate = false;
};

class identity_resolution {
 public:
  // `object`, `change` and `references` must outlive the resolution.
  identity_resolution(const object_binding& object, const merged_change& change,
                      std::optional<std::string> known_entity_id, const kizen_id_lookup& references);

  resolution_step start();
  // The reply to the call of the last step.
  resolution_step resume(const kizen_reply& reply);
  // The outcome; valid once a step said done.
  const outbound_outcome& outcome() const { return outcome_; }

 private:
  enum class state {
    idle,
    archive_lookup,       // archive: looking for an earlier create under lookup value #index_
    archive_search,       // archive: looking for it by match_field
    archive,              // archive: the DELETE
    patch_known,          // update of a mapped row
    entity_column_patch,  // create: PATCH the record entity_id_column names
    earlier_lookup,       // create: looking under earlier lookup value #index_
    earlier_patch,        // create: PATCH the record found there
    upsert,               // create: upsert by the lookup value
    match_search,         // create: search by match_field
    match_patch,          // create: PATCH the record found there
    add,                  // create: POST add
    done,
  };

  resolution_step begin_archive();
  resolution_step archive_after_lookups();
  resolution_step archive_entity();
  resolution_step begin_create(std::optional<std::string> stale_entity_id);
  resolution_step create_by_lookup();
  resolution_step create_upsert();
  resolution_step create_by_match_field();
  resolution_step create_add();

  // Looks under lookup_values_[index_] (archive_lookup or earlier_lookup); when none is left,
  // goes on with the step after that search.
  resolution_step next_lookup(state looking);
  resolution_step call(state next, kizen_call c);
  resolution_step finish(outbound_outcome o);
  // finish() for the create path: follow-up columns, the stale identity, the request count.
  resolution_step finish_create(outbound_outcome o);
  kizen_call patch_call(std::string entity_id) const;
  static kizen_call lookup_call(const std::string& value);
  kizen_call match_search_call(const std::string& key) const;
  // A search by match_field gave more than one record: Kizen holds duplicates.
  outbound_outcome duplicates(const kizen_reply& reply, const std::string& key) const;

  const object_binding& object_;
  const merged_change& change_;
  std::optional<std::string> known_;
  const kizen_id_lookup& references_;

  state state_ = state::idle;
  int requests_ = 0;
  std::size_t index_ = 0;                   // archive_lookup / earlier_lookup: which value
  std::vector<std::string> lookup_values_;  // the values to look under
  std::optional<std::string> stale_;        // create after a 404: the identity that was stale
  std::optional<std::string> match_key_;    // the key searched by match_field
  write_plan plan_;                         // create / patch: what is sent
  std::vector<kizen::field_write> writes_;
  outbound_outcome outcome_;
};

}  // namespace ks::engine
