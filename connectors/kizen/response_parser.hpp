#pragma once
// Kizen answers -> plain structs. Never throws on bad input: a body that is not JSON, has the
// wrong shape, misses required keys, carries out-of-range numbers or invalid UTF-8 gives an
// error naming the place, e.g. "search page: results[3].fields: expected object".

#include <boost/json/value.hpp>
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "connectors/kizen/metadata.hpp"
#include "connectors/kizen/page.hpp"
#include "connectors/kizen/record.hpp"

namespace ks::kizen {

class response_parser {
 public:
  template <class T>
  using parsed = result<T, std::string>;

  // Any JSON body; `what` starts the error message ("record", "search page", ...).
  static parsed<boost::json::value> parse_json(std::string_view body, std::string_view what);

  // GET, lookup, add, PUT, PATCH (and unarchive, if it answers with a record).
  static parsed<record> parse_record(std::string_view body);
  // POST /search.
  static parsed<page<record>> parse_record_page(std::string_view body);
  // POST /upsert; `http_status` is 200 or 201.
  static parsed<upsert_result> parse_upsert(std::string_view body, int http_status);
  // GET field-values.
  static parsed<page<related_value>> parse_field_values_page(std::string_view body);
  // GET /api/custom-objects (a page, or a bare array read as a single page).
  static parsed<page<object_info>> parse_objects_page(std::string_view body);
  // GET fields/settings-search (a page, or a bare array read as a single page).
  static parsed<page<field_info>> parse_fields_page(std::string_view body);

  // The readable text of an error body: {"detail": ...}, {"code": ...}, the ErrorResponse shape
  // (non_field_errors + positional "fields" entries), or a field -> messages dict. Non-JSON
  // bodies are quoted (shortened, control characters replaced). Empty body -> "".
  static std::string describe_error_body(std::string_view body);
};

}  // namespace ks::kizen
