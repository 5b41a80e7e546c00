#pragma once
// Applies the `record` object of one write to a record's values: unknown codes are ignored,
// values are validated and normalised, problems are collected under Kintone's keys
// (`record.<code>.value` for required / options / duplicates, `record[<code>].value` for values
// that do not parse; `records[i]...` in bulk requests).

#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <vector>

#include "errors.hpp"
#include "schema.hpp"
#include "store.hpp"

namespace kintone_emulator {

// Who writes, as far as the record cares.
struct writer_identity {
  user_ref user;                // becomes creator / modifier
  bool may_set_system = false;  // app admin (admin user or a token with "manage")
  api_error denied;             // the answer when a system field is set without that right
};

class record_builder {
 public:
  record_builder(const app_def& app, const schema& directory, store& s, const writer_identity& who)
      : app_(app), directory_(directory), store_(s), who_(who) {}

  // Blank values for every user field, then the schema's defaults.
  boost::json::object initial_values() const;

  // Applies `written` (an object of code -> {"value": ...}) onto `r`. Field problems go to
  // `problems` under `prefix` ("record" or "records[3]"); a request-level error (unknown user,
  // system field without the right) is returned. `adding` allows system fields (admins only).
  std::optional<api_error> apply(stored_record& r, const boost::json::value& written, const std::string& prefix,
                                 bool adding, std::vector<field_message>& problems) const;

  // Required fields that are blank in `r`.
  void check_required(const stored_record& r, const std::string& prefix, std::vector<field_message>& problems) const;

 private:
  std::optional<api_error> apply_system(stored_record& r, const field_def& f, const boost::json::value& value,
                                        const std::string& prefix, bool adding,
                                        std::vector<field_message>& problems) const;
  std::optional<api_error> apply_subtable(stored_record& r, const field_def& f, const boost::json::value& value,
                                          const std::string& prefix, std::vector<field_message>& problems) const;

  const app_def& app_;
  const schema& directory_;
  store& store_;
  const writer_identity& who_;
};

}  // namespace kintone_emulator
