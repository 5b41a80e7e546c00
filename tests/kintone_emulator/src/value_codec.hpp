#pragma once
// One field value on its way in (as a client writes `{"value": ...}`) and out (as Kintone reads
// it). Writes are validated and normalised to the read form, which is what the store keeps.

#include <boost/json/value.hpp>
#include <string>

#include "common/result.hpp"
#include "schema.hpp"

namespace kintone_emulator {

struct value_problem {
  enum kind_t {
    not_a_number,   // NUMBER that is not a decimal number
    bad_date,       // DATE not "YYYY-MM-DD"
    bad_datetime,   // DATETIME not ISO-8601 with a zone
    bad_value,      // wrong JSON type, a FILE that names a file, ...
    not_an_option,  // selection value outside the options (detail = the value)
    unknown_user,   // USER_SELECT code not in the directory (detail = the code)
  } kind;
  std::string detail;
};

// The stored (read) form of a written value. SUBTABLE is handled by the record writer.
ks::result<boost::json::value, value_problem> normalise_value(const field_def& f, const boost::json::value& written,
                                                              const schema& directory);

// What a field reads when nothing was written: "" for texts, NUMBER and DATETIME; null for DATE,
// RADIO_BUTTON and DROP_DOWN; [] for lists.
boost::json::value blank_value(const field_def& f);

bool is_blank(const boost::json::value& stored);

}  // namespace kintone_emulator
