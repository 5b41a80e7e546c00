// POST /k/v1/bulkRequest.json: up to 20 writes (POST, PUT, DELETE of the record endpoints),
// across apps, all or nothing. On failure the store is put back as it was, the status is that of
// the failing request, and `results` holds its error at its place and {} everywhere else.
#include <boost/json.hpp>

#include "application.hpp"

namespace kintone_emulator {

namespace json = boost::json;

namespace {

constexpr std::size_t max_requests = 20;

bool allowed_in_bulk(const std::string& method, const std::string& endpoint) {
  if (method != "POST" && method != "PUT" && method != "DELETE") return false;
  if (endpoint != "/k/v1/record.json" && endpoint != "/k/v1/records.json") return false;
  return kintone_api::known(method, endpoint);
}

}  // namespace

response application::bulk(const api_call& call, const principal& who, logged_request& entry) {
  const auto* list = call.params.if_contains("requests");
  auto invalid = [&](const std::string& key, text_pair text) {
    return error_response(errors::invalid_input({{key, std::move(text)}}), call.lang);
  };
  if (!list || !list->is_array() || list->get_array().empty()) return invalid("requests", errors::required());
  if (list->get_array().size() > max_requests) return invalid("requests", errors::too_many("requests", max_requests));
  std::vector<api_call> calls;
  for (std::size_t i = 0; i < list->get_array().size(); ++i) {
    const std::string where = "requests[" + std::to_string(i) + "]";
    const auto& item = list->get_array()[i];
    const auto* method = item.is_object() ? item.get_object().if_contains("method") : nullptr;
    const auto* api = item.is_object() ? item.get_object().if_contains("api") : nullptr;
    const auto* payload = item.is_object() ? item.get_object().if_contains("payload") : nullptr;
    if (!method || !method->is_string()) return invalid(where + ".method", errors::required());
    if (!api || !api->is_string()) return invalid(where + ".api", errors::required());
    if (!payload || !payload->is_object()) return invalid(where + ".payload", errors::required());
    api_call sub;
    sub.method = std::string(method->get_string());
    sub.lang = call.lang;
    const auto target = parse_target(api->get_string());
    sub.endpoint = endpoint_of(target, sub.guest_space).value_or("");
    if (!target.valid || !target.params.empty() || !allowed_in_bulk(sub.method, sub.endpoint))
      return invalid(where + ".api", errors::bad_value());
    sub.params = payload->get_object();
    calls.push_back(std::move(sub));
  }
  auto before = store_.snapshot();
  json::array results;
  for (std::size_t i = 0; i < calls.size(); ++i) {
    std::int64_t app = 0;
    auto answer = api_.handle(calls[i], who, app);
    if (!entry.app) entry.app = app;
    if (answer) {
      results.push_back(std::move(answer).value());
      continue;
    }
    store_.restore(std::move(before));
    const response failed = error_response(answer.error(), call.lang);
    json::array out(calls.size(), json::object{});
    out[i] = json::parse(failed.body);
    auto r = response::json(failed.status, json::object{{"results", std::move(out)}});
    r.headers = failed.headers;
    return r;
  }
  return response::json(200, json::object{{"results", std::move(results)}});
}

}  // namespace kintone_emulator
