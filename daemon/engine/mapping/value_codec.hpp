#pragma once
// Conversion of single values between a table column (as the outbox row image holds it: JSON,
// with numbers as their exact decimal text) and a Kizen field value, by value_kind.
// Pure functions; every failure is a readable message naming the problem (never a throw).

#include "common/result.hpp"
#include "daemon/engine/mapping/field_binding.hpp"

#include <boost/json/value.hpp>
#include <string>
#include <vector>

namespace ks::engine {

// The outbound value of a single-value field. `column_value` null → JSON null (clears the field).
// Relationship kinds are not handled here (the caller resolves keys to record ids).
ks::result<boost::json::value, std::string> to_kizen_value(const field_binding& field,
                                                           const boost::json::value& column_value);

// The items of a multi-value column (options by name, or referenced keys), deduplicated, in order.
// Accepts a JSON array (PostgreSQL arrays) or null (no items).
ks::result<std::vector<std::string>, std::string> multi_value_items(const boost::json::value& column_value);

// A key as text, the way PostgreSQL's ->> renders it (string as is, numbers as written).
ks::result<std::string, std::string> key_text(const boost::json::value& column_value);

// The Kizen write item for one option of a multi-value select/tags field: {"id"} for a known
// option, {"name"} otherwise (Kizen creates dynamic tags; for fixed checkboxes it is an error).
ks::result<boost::json::value, std::string> option_item(const field_binding& field, const std::string& name);

// A PostgreSQL timestamp/timestamptz text (ISO form, optional fraction and offset) as
// "YYYY-MM-DDTHH:MM:SS.mmmZ" in UTC; a timestamp without zone is taken as UTC.
ks::result<std::string, std::string> to_kizen_datetime(std::string_view text);

}  // namespace ks::engine
