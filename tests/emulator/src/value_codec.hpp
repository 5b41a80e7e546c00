#pragma once
// Field values between JSON and the store: validation of write values (one message per failure,
// DRF wording), read-side rendering, and the plain form used by /__emulator/state and --state.

#include <boost/json/value.hpp>
#include <string>

#include "common/result.hpp"
#include "field_value.hpp"
#include "schema.hpp"
#include "store.hpp"

namespace kizen_emulator {

inline constexpr std::size_t max_text_length = 255;
inline constexpr std::size_t relationship_inline_limit = 100;

// A decimal in canonical form: optional '-', integer digits without leading zeros, and the
// fraction as given (money: exactly two places). Accepts JSON numbers and decimal strings.
ks::result<std::string, std::string> canonical_decimal(const boost::json::value& v, bool money);

// Validates `value` of a write for a single-value field (not dynamictags). A JSON null gives a
// blank value. Errors are messages without the field name.
ks::result<field_value, std::string> parse_write_value(const store& s, const object_def& object, const field_def& field,
                                                       const boost::json::value& value);

// One item of add_values/remove_values (or of a to-many `value` list): a tag as {"id"} or
// {"name"}, or a related record as {"id"}. For tags, `create_if_missing` lets an unknown name
// through as "new:<name>", which commit_pending_tags() turns into a real option.
ks::result<std::string, std::string> parse_list_item(const store& s, const object_def& object, const field_def& field,
                                                     const boost::json::value& item, bool create_if_missing);
// Creates the options behind "new:<name>" placeholders in `values` and puts their ids in place.
void commit_pending_tags(store& s, std::size_t object, std::vector<field_value>& values);

// The read format of a value (checkbox blank reads false; relationships skip archived targets).
// `summary` receives {"count": N} when a relationship holds more than 100 values.
boost::json::value render_value(const store& s, const object_def& object, const field_def& field,
                                const field_value& value, boost::json::value* summary = nullptr);

// Live (not archived) related records of a relationship value, in stored order.
std::vector<const record*> live_targets(const store& s, const field_def& field, const field_value& value);

// Plain form: strings/numbers/bools; dropdown the option name, tags a list of names, relationship
// a record id (to-one) or a list of ids (to-many, archived targets included).
boost::json::value plain_value(const store& s, const object_def& object, const field_def& field,
                               const field_value& value);
ks::result<field_value, std::string> parse_plain_value(store& s, const object_def& object, const field_def& field,
                                                       const boost::json::value& value);

}  // namespace kizen_emulator
