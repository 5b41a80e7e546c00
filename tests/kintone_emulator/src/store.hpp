#pragma once
// The records of every app: user-field values as Kintone normalises them, plus what the server
// keeps (id, revision, times, creator, modifier). Ids are never reused within an app.

#include <boost/json/object.hpp>
#include <cstdint>
#include <map>
#include <string>

#include "schema.hpp"

namespace kintone_emulator {

struct user_ref {
  std::string code;
  std::string name;

  boost::json::object to_json() const;
};

struct stored_record {
  std::int64_t id = 0;
  std::int64_t revision = 1;
  std::int64_t created_ms = 0;  // minute precision
  std::int64_t updated_ms = 0;
  user_ref creator;
  user_ref modifier;
  boost::json::object values;  // user fields only, every one present: code -> normalised value
};

using record_map = std::map<std::int64_t, stored_record>;  // by id, ascending

class store {
 public:
  explicit store(const schema& s);

  const schema& definitions() const { return schema_; }
  const record_map& records(std::int64_t app) const;
  record_map& records(std::int64_t app);
  const stored_record* find(std::int64_t app, std::int64_t id) const;
  std::int64_t next_id(std::int64_t app) const;
  void set_next_id(std::int64_t app, std::int64_t next);
  std::int64_t take_id(std::int64_t app);
  std::int64_t take_row_id() { return next_row_id_++; }
  std::int64_t next_row_id() const { return next_row_id_; }
  void set_next_row_id(std::int64_t next) { next_row_id_ = next; }
  void clear();

  // The whole store, to put back when a bulk request fails part-way.
  struct app_data {
    std::int64_t next_id = 1;
    record_map records;
  };
  struct snapshot_t {
    std::map<std::int64_t, app_data> apps;
    std::int64_t next_row_id = 1;
  };
  snapshot_t snapshot() const { return {apps_, next_row_id_}; }
  void restore(snapshot_t s) {
    apps_ = std::move(s.apps);
    next_row_id_ = s.next_row_id;
  }

 private:
  const schema& schema_;
  std::map<std::int64_t, app_data> apps_;
  std::int64_t next_row_id_ = 1;
};

}  // namespace kintone_emulator
