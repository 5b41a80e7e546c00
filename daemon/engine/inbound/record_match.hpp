#pragma once
// Which row mirrors a Kizen record, whether the record is news, and what to write: a sans-I/O
// state machine. It asks the questions only PostgreSQL can answer, one at a time; the caller
// (record_writer) answers each from the table and the sync schema, inside the record's
// savepoint, until the match is done and its action is known.
//
//   record_match m(binding, record, translated, now);
//   for (auto q = m.start(); q.what != match_question::kind::done; q = m.resume(answer))
//     answer = <ask PostgreSQL q>;
//   const record_action& a = m.action();
//
// In order: the identity map by entity id (an older version, or this very version with every
// value as last synced, is no news); else the row by key_field, by entity_id_column, by the lookup
// value; the key's lock, and its identity read again under it (an outbound request may have
// finished meanwhile); a row deleted here while its delete is queued is left alone; queued
// outbound changes of the key go through the conflict policy, field by field (a queued column
// Kizen did not change is no conflict).

#include "config/config.hpp"
#include "connectors/kizen/record.hpp"
#include "daemon/engine/inbound/conflict_resolution.hpp"
#include "daemon/engine/inbound/translated_record.hpp"
#include "daemon/engine/mapping/field_binding.hpp"

#include <boost/json/object.hpp>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ks::engine {

// An identity-map entry, as the match needs it.
struct known_identity {
  std::string key;
  std::string entity_id;              // lower-case UUID
  boost::json::object synced_values;  // column -> value last known equal on both sides
  std::optional<kizen::timestamp> kizen_updated;
};

struct match_question {
  enum class kind {
    identity_of_record,    // the identity that holds the record's entity id
    row_exists,            // does the table have the row `key`?
    key_by_entity_column,  // the key of the row whose entity_id_column holds the record's id
    key_by_lookup,         // the key of the row whose lookup column equals `value`
    lock_key,              // take the key's lock and the row's, then the identity of `key`
    queued_columns,        // the columns of `key` queued for Kizen, with their commit times
    changed_in_kizen,      // which of `columns` differ between the record and what was last synced
    done,
  };
  kind what = kind::done;
  std::string key;
  std::string value;
  std::vector<std::string> columns;
};

struct match_answer {
  std::optional<known_identity> identity;   // identity_of_record, lock_key
  bool exists = false;                      // row_exists
  std::optional<std::string> key;           // key_by_entity_column, key_by_lookup
  std::map<std::string, wall_time> queued;  // queued_columns
  std::vector<std::string> changed;         // changed_in_kizen
};

struct record_action {
  enum class kind {
    unchanged,  // nothing to write: an older version, an echo, or a row deleted here
    fail,       // it cannot be applied: `reason`
    update,     // write `columns` (from values()) into the row `key`
    insert,     // insert a row with `columns`, keyed `key` (nullopt: the key column's default)
  };
  kind what = kind::unchanged;
  std::string reason;
  std::optional<std::string> key;
  std::vector<std::string> columns;
  std::vector<std::string> drop_pending;  // queued columns Kizen's values supersede
  boost::json::object synced_values;      // the identity's values once written
  std::vector<std::string> decisions;     // conflict decisions, one readable line each
};

class record_match {
 public:
  // `now` stands in for a record without `updated`. `object` and `record` must outlive the match.
  record_match(const object_binding& object, const kizen::record& record, translated_record translated, wall_time now);

  match_question start();
  match_question resume(const match_answer& answer);

  const record_action& action() const { return action_; }
  // The record as column values (with the row's own form of instants Kizen holds as last synced).
  const boost::json::object& values() const { return translated_.values; }
  const std::string& entity_id() const { return entity_; }
  // The identity of the key the record matched, read under its lock (what changed_in_kizen
  // compares the record with).
  const std::optional<known_identity>& identity_of_key() const { return identity_; }

 private:
  enum class state {
    idle,
    by_entity,
    by_key_field,
    by_entity_column,
    by_lookup,
    locked,
    exists,
    queued,
    compared,
    done
  };

  match_question ask(state next, match_question::kind what, std::string key = {}, std::string value = {});
  match_question finish(record_action a);
  match_question fail(std::string reason);
  match_question find_by_key_field();
  match_question find_by_entity_column();
  match_question find_by_lookup();
  match_question lock_found_key();
  match_question check_exists();
  match_question read_queued();
  match_question decide(const std::vector<std::string>& unchanged_in_kizen);
  bool superseded(const std::optional<known_identity>& i) const;
  bool already_applied(const std::optional<known_identity>& i) const;

  const object_binding& object_;
  const kizen::record& record_;
  translated_record translated_;
  std::string entity_;
  wall_time kizen_time_;

  state state_ = state::idle;
  std::optional<known_identity> mapped_;    // found by entity id
  std::optional<known_identity> identity_;  // of the key, read under its lock
  std::optional<std::string> key_;
  bool exists_ = false;
  std::map<std::string, wall_time> queued_;
  std::vector<std::string> received_;
  record_action action_;
};

}  // namespace ks::engine
