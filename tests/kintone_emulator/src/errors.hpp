#pragma once
// Kintone error bodies: {"code", "id", "message", "errors"?}. Messages follow Accept-Language
// (Japanese by default, English for "en"); clients must branch on `code`, never on the text.
// Every error the emulator answers is built here, so codes and statuses live in one place.

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "http_message.hpp"

namespace kintone_emulator {

enum class language { ja, en };

// The first language range of Accept-Language decides; "en..." gives English, anything else Japanese.
language language_of(const std::optional<std::string>& accept_language);

struct text_pair {
  std::string ja, en;
  const std::string& in(language l) const { return l == language::en ? en : ja; }
};

// One entry of `errors`: {"<key>": {"messages": [...]}}.
struct field_message {
  std::string key;  // e.g. "records[1].name.value", "record[amount].value", "query"
  text_pair text;
};

struct api_error {
  int status = 400;
  std::string code;
  text_pair message;
  std::vector<field_message> errors;  // CB_VA01 only; left out of the body when empty
  header_list headers;
};

// The body and headers of an error; `id` is the error id Kintone gives for support requests.
response render_error(const api_error& e, language lang, const std::string& id);

namespace errors {

api_error not_logged_in();                                                  // 401 CB_AU01
api_error password_failed();                                                // 401 CB_WA01
api_error bad_token();                                                      // 400 GAIA_IA02
api_error duplicate_token();                                                // 400 GAIA_DA03
api_error token_cannot();                                                   // 403 GAIA_NO01
api_error no_privilege();                                                   // 403 CB_NO02
api_error app_not_found(std::int64_t app);                                  // 404 GAIA_AP01
api_error guest_path_needed();                                              // 400 GAIA_IL23
api_error record_not_found(std::int64_t id);                                // 404 GAIA_RE01
api_error key_not_found(const std::string& field);                          // 404 GAIA_RE20
api_error stale_revision();                                                 // 409 GAIA_CO02
api_error invalid_input(std::vector<field_message> errors);                 // 400 CB_VA01
api_error invalid_json();                                                   // 400 CB_IJ01
api_error illegal_request();                                                // 404 CB_IL02 (unknown path or method)
api_error query_syntax();                                                   // 400 CB_VA01 errors.query
api_error limit_too_large();                                                // 400 GAIA_QU01
api_error offset_too_large();                                               // 400 GAIA_QU02
api_error query_field_not_found(const std::string& code);                   // 400 GAIA_IQ11
api_error query_operator(const std::string& code, const std::string& op);   // 400 GAIA_IQ03
api_error query_option(const std::string& code, const std::string& value);  // 400 GAIA_IQ10
api_error user_not_found(const std::string& code);                          // 400 GAIA_IL26
api_error query_user();                                                     // 400 GAIA_IL42
api_error cursor_not_found();                                               // 404 GAIA_CN01
api_error too_many_cursors();                                               // 429 GAIA_TM12
api_error concurrency(std::size_t limit, std::size_t running);              // 429 GAIA_TO04
api_error db_lock(const std::string& code, int status);                     // GAIA_RE18 / GAIA_DA02

// Messages of CB_VA01 entries.
text_pair required();
text_pair not_a_number();
text_pair duplicate_value();
text_pair not_an_option(const std::string& value);
text_pair bad_date();
text_pair bad_datetime();
text_pair bad_value();
text_pair not_updatable();
text_pair too_many(const std::string& what, std::size_t max);  // "records", 100

}  // namespace errors

}  // namespace kintone_emulator
