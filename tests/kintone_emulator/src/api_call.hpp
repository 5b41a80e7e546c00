#pragma once
// One /k/ request as the API handlers see it: the effective method (POST with
// X-HTTP-Method-Override: GET is a GET), the endpoint without any guest-space prefix, and the
// parameters from the JSON body or the query string (fields[0]=a / fields[]=a become arrays).

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "errors.hpp"
#include "http_message.hpp"

namespace kintone_emulator {

struct api_call {
  std::string method;    // effective
  std::string endpoint;  // e.g. "/k/v1/records.json"
  std::optional<std::int64_t> guest_space;
  boost::json::object params;
  language lang = language::ja;
};

// nullopt: not a /k/v1/ or /k/guest/{space}/v1/ path.
std::optional<std::string> endpoint_of(const parsed_target& t, std::optional<std::int64_t>& guest_space);

// 400 CB_IJ01 for a body that is not a JSON object.
ks::result<api_call, api_error> read_call(const request& req, const parsed_target& t);

// A parameter that Kintone types as an integer: a JSON integer or a string of digits.
enum class int_state { absent, invalid, ok };
int_state int_param(const boost::json::object& params, std::string_view name, std::int64_t& out);
int_state int_value(const boost::json::value& v, std::int64_t& out);

// true / "true"; everything else is false.
bool flag_param(const boost::json::object& params, std::string_view name);

}  // namespace kintone_emulator
