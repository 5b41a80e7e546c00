#include "api_call.hpp"

#include <boost/json.hpp>
#include <cctype>

namespace kintone_emulator {

namespace json = boost::json;

namespace {

// "fields[0]" / "fields[]" -> "fields"; other names unchanged.
std::string array_name(const std::string& key, bool& is_array) {
  const auto open = key.find('[');
  is_array = open != std::string::npos && key.back() == ']';
  return is_array ? key.substr(0, open) : key;
}

json::object params_from_query(const parsed_target& t) {
  json::object out;
  for (const auto& [key, value] : t.params) {
    bool is_array = false;
    const std::string name = array_name(key, is_array);
    if (is_array) {
      auto& slot = out[name];
      if (!slot.is_array()) slot = json::array{};
      slot.as_array().push_back(json::string(value));
    } else {
      out[name] = json::string(value);
    }
  }
  return out;
}

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

std::optional<std::string> endpoint_of(const parsed_target& t, std::optional<std::int64_t>& guest_space) {
  const auto& s = t.segments;
  std::size_t rest = 0;
  if (s.size() >= 3 && s[0] == "k" && s[1] == "v1") {
    rest = 2;
  } else if (s.size() >= 5 && s[0] == "k" && s[1] == "guest" && s[3] == "v1") {
    std::int64_t space = 0;
    if (int_value(json::value(s[2]), space) != int_state::ok || space < 1) return std::nullopt;
    guest_space = space;
    rest = 4;
  } else {
    return std::nullopt;
  }
  std::string endpoint = "/k/v1";
  for (std::size_t i = rest; i < s.size(); ++i) endpoint += "/" + s[i];
  return endpoint;
}

ks::result<api_call, api_error> read_call(const request& req, const parsed_target& t) {
  api_call call;
  call.lang = language_of(req.header("accept-language"));
  call.method = req.method;
  if (req.method == "POST")
    if (const auto o = req.header("x-http-method-override"); o && upper(*o) == "GET") call.method = "GET";
  call.endpoint = endpoint_of(t, call.guest_space).value_or("");
  const bool body_carries = req.method == "POST" || req.method == "PUT";
  if (!body_carries) call.params = params_from_query(t);
  if (body_carries || !req.body.empty()) {
    boost::system::error_code ec;
    const auto body = json::parse(req.body.empty() ? std::string("{}") : req.body, ec);
    if (ec || !body.is_object()) return ks::fail(errors::invalid_json());
    for (const auto& [k, v] : body.get_object()) call.params[k] = v;
  }
  return call;
}

int_state int_value(const json::value& v, std::int64_t& out) {
  if (v.is_int64()) {
    out = v.get_int64();
    return int_state::ok;
  }
  if (v.is_uint64()) return int_state::invalid;
  if (v.is_string()) {
    const auto s = v.get_string();
    std::size_t i = s.starts_with("-") ? 1 : 0;
    if (s.size() == i || s.size() > 18) return int_state::invalid;
    std::int64_t n = 0;
    for (; i < s.size(); ++i) {
      if (!std::isdigit(static_cast<unsigned char>(s[i]))) return int_state::invalid;
      n = n * 10 + (s[i] - '0');
    }
    out = s.starts_with("-") ? -n : n;
    return int_state::ok;
  }
  return int_state::invalid;
}

int_state int_param(const json::object& params, std::string_view name, std::int64_t& out) {
  const auto* v = params.if_contains(name);
  if (!v || v->is_null()) return int_state::absent;
  return int_value(*v, out);
}

bool flag_param(const json::object& params, std::string_view name) {
  const auto* v = params.if_contains(name);
  if (!v) return false;
  return (v->is_bool() && v->get_bool()) || (v->is_string() && v->get_string() == "true");
}

}  // namespace kintone_emulator
