#pragma once
// The Kintone REST endpoints the emulator serves, over the store, the cursors and the clock:
//   GET/POST/PUT record.json, GET/POST/PUT/DELETE records.json, POST/GET/DELETE
//   records/cursor.json, GET app/form/fields.json, GET app.json.
// Called with an authenticated principal; answers a JSON body or a Kintone error.

#include <boost/json/value.hpp>
#include <cstdint>
#include <string_view>

#include "api_call.hpp"
#include "auth.hpp"
#include "common/result.hpp"
#include "cursors.hpp"
#include "emulator_clock.hpp"
#include "limits.hpp"
#include "store.hpp"

namespace kintone_emulator {

using api_result = ks::result<boost::json::value, api_error>;

class kintone_api {
 public:
  kintone_api(store& s, cursor_registry& cursors, request_limits& limits, const emulator_clock& clock)
      : store_(s), cursors_(cursors), limits_(limits), clock_(clock) {}

  // Whether the endpoint and method exist (404 CB_IL02 otherwise).
  static bool known(std::string_view method, std::string_view endpoint);

  // app_out: the app the request was counted against (0 if none).
  api_result handle(const api_call& call, const principal& who, std::int64_t& app_out);

 private:
  // The app named by `param`, checked for existence, guest-space path and permission; counts
  // the request against the app's daily counter.
  ks::result<const app_def*, api_error> open_app(const api_call& call, const principal& who, action what,
                                                 std::string_view param, std::int64_t& app_out);

  api_result get_record(const api_call& call, const app_def& app);
  api_result get_records(const api_call& call, const app_def& app);
  api_result add_record(const api_call& call, const app_def& app, const principal& who);
  api_result add_records(const api_call& call, const app_def& app, const principal& who);
  api_result update_record(const api_call& call, const app_def& app, const principal& who);
  api_result update_records(const api_call& call, const app_def& app, const principal& who, bool upsert);
  api_result delete_records(const api_call& call, const app_def& app);
  api_result add_cursor(const api_call& call, const app_def& app);
  api_result cursor_call(const api_call& call, const principal& who, std::int64_t& app_out);
  api_result form_fields(const app_def& app);
  api_result app_info(const app_def& app);

  store& store_;
  cursor_registry& cursors_;
  request_limits& limits_;
  const emulator_clock& clock_;
};

}  // namespace kintone_emulator
