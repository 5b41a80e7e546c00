#pragma once
// Add, update, upsert and delete, all-or-nothing: every item of a request is checked against
// the store plus the earlier items of the same request, and nothing is stored unless all pass.
// Every successful write raises the record's revision by 1 and sets its update time and modifier.

#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "errors.hpp"
#include "record_builder.hpp"
#include "store.hpp"

namespace kintone_emulator {

struct update_item {
  std::optional<std::int64_t> id;
  std::optional<std::string> key_field;  // updateKey.field
  boost::json::value key_value;          // updateKey.value
  boost::json::value record;             // null when absent
  std::optional<std::int64_t> revision;  // absent or -1: no check
};

struct write_outcome {
  std::int64_t id = 0;
  std::int64_t revision = 0;
  bool inserted = false;  // upsert: INSERT rather than UPDATE
};

using write_result = ks::result<std::vector<write_outcome>, api_error>;

class record_writer {
 public:
  // now_ms: the emulator clock (record times are kept to the minute).
  record_writer(store& s, const app_def& app, std::int64_t now_ms, writer_identity who);

  // bulk: errors keyed records[i] instead of record.
  write_result add(const std::vector<boost::json::value>& records, bool bulk);
  write_result update(const std::vector<update_item>& items, bool bulk, bool upsert);
  ks::result<void, api_error> remove(const std::vector<std::int64_t>& ids, const std::vector<std::int64_t>& revisions);

 private:
  const stored_record* current(std::int64_t id) const;  // pending first, then the store
  const stored_record* by_key(const field_def& f, const boost::json::value& value) const;
  void check_unique(const stored_record& r, const std::string& prefix, std::vector<field_message>& problems) const;
  void commit();

  store& store_;
  const app_def& app_;
  std::int64_t now_ms_;
  writer_identity who_;
  record_builder builder_;
  std::vector<stored_record> pending_;  // new records carry provisional ids <= 0
};

}  // namespace kintone_emulator
