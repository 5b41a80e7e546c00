#include "connectors/kizen/client.hpp"

#include <spdlog/sinks/null_sink.h>
#include <chrono>
#include <set>

#include "common/log_line.hpp"
#include "connectors/kizen/response_parser.hpp"

namespace ks::kizen {

namespace net = boost::asio;

namespace {

// A server handing out `next` links forever must not keep a metadata walk going forever.
constexpr int max_list_pages = 10000;

std::string describe(const api_request& r) { return std::string(to_string(r.method)) + " " + r.path_template; }

// The {object} of a "/.../api/records/{object}/search?..." target, for log lines.
std::string object_of(std::string_view target) {
  constexpr std::string_view marker = "/api/records/";
  const auto at = target.find(marker);
  if (at == std::string_view::npos) return {};
  const auto rest = target.substr(at + marker.size());
  return std::string(rest.substr(0, rest.find_first_of("/?")));
}

}  // namespace

client::client(std::shared_ptr<http_pool> pool, std::shared_ptr<spdlog::logger> logger, std::string api_key,
               request_lane lane)
    : pool_(std::move(pool)), logger_(std::move(logger)), api_key_(std::move(api_key)), lane_(lane) {}

std::unique_ptr<client> client::on_lane(request_lane lane) const {
  return std::unique_ptr<client>(new client(pool_, logger_, api_key_, lane));
}

result<std::unique_ptr<client>, error> client::create(net::any_io_executor executor, const client_settings& settings,
                                                      std::shared_ptr<spdlog::logger> logger,
                                                      http_pool::options pool_options) {
  if (!logger) logger = std::make_shared<spdlog::logger>("kizen", std::make_shared<spdlog::sinks::null_sink_mt>());
  auto pool = http_pool::create(std::move(executor), settings, logger, std::move(pool_options));
  if (!pool) return fail(std::move(pool).error());
  return std::unique_ptr<client>(new client(std::move(*pool), std::move(logger), settings.api_key));
}

error client::redact(error e) const {
  // Nothing we write puts the key in a message, but server text is quoted in messages.
  if (api_key_.size() >= 4) {
    for (auto pos = e.message.find(api_key_); pos != std::string::npos; pos = e.message.find(api_key_, pos))
      e.message.replace(pos, api_key_.size(), "[redacted]");
  }
  return e;
}

net::awaitable<result<http_response, error>> client::call(const api_request& req, std::string full_target,
                                                          std::string_view object, call_options options) {
  const auto start = std::chrono::steady_clock::now();
  if (lane_ == request_lane::background) options.lane = lane_;
  auto res = co_await pool_->send(req.method, std::move(full_target), req.body, describe(req), options);
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
  if (res) {
    logger_->debug(log_line("kizen call", {{"method", to_string(req.method)},
                                           {"path", req.path_template},
                                           {"object", object},
                                           {"http_status", res->status},
                                           {"duration_ms", ms}}));
  } else {
    logger_->debug(log_line("kizen call", {{"method", to_string(req.method)},
                                           {"path", req.path_template},
                                           {"object", object},
                                           {"http_status", 0},
                                           {"duration_ms", ms},
                                           {"error_kind", to_string(res.error().kind)}}));
  }
  co_return res;
}

net::awaitable<result<http_response, error>> client::call_ok(const api_request& req, std::string full_target,
                                                             std::string_view object, call_options options) {
  auto res = co_await call(req, std::move(full_target), object, options);
  if (!res) co_return fail(redact(std::move(res).error()));
  if (res->status >= 200 && res->status <= 299) co_return res;
  std::optional<std::chrono::milliseconds> retry_after;
  if (!res->retry_after.empty()) retry_after = parse_retry_after(res->retry_after, std::chrono::system_clock::now());
  co_return fail(
      redact(http_error(res->status, describe(req), response_parser::describe_error_body(res->body), retry_after)));
}

template <class T, class Parse>
net::awaitable<result<T, error>> client::perform(request_builder::built req, std::string_view operation,
                                                 std::string object, Parse parse, call_options options) {
  if (!req) co_return fail(invalid_request(operation, req.error()));
  auto res = co_await call_ok(*req, pool_->server().path_prefix + req->target, object, options);
  if (!res) co_return fail(std::move(res).error());
  auto parsed = parse(*res);
  if (!parsed) co_return fail(redact(protocol_error(res->status, describe(*req), parsed.error())));
  co_return std::move(*parsed);
}

template <class T, class Parse>
net::awaitable<result<std::vector<T>, error>> client::collect(request_builder::built first, std::string_view operation,
                                                              Parse parse) {
  if (!first) co_return fail(invalid_request(operation, first.error()));
  api_request req = std::move(*first);
  std::string target = pool_->server().path_prefix + req.target;
  std::set<std::string> seen{target};
  std::vector<T> all;
  for (int pages = 1;; ++pages) {
    auto res = co_await call_ok(req, target, "");
    if (!res) co_return fail(std::move(res).error());
    auto parsed = parse(res->body);
    if (!parsed) co_return fail(redact(protocol_error(res->status, describe(req), parsed.error())));
    for (auto& item : parsed->results) all.push_back(std::move(item));
    if (!parsed->next) break;
    auto next = pool_->server().same_origin_target(*parsed->next);
    if (!next) co_return fail(protocol_error(res->status, describe(req), "next: " + next.error()));
    if (!seen.insert(*next).second)
      co_return fail(protocol_error(res->status, describe(req), "next: '" + *next + "' was already visited"));
    if (pages >= max_list_pages)
      co_return fail(
          protocol_error(res->status, describe(req), "more than " + std::to_string(max_list_pages) + " pages"));
    target = std::move(*next);
  }
  co_return all;
}

client::async_result<record> client::get_record(std::string object, std::string entity_id,
                                                std::vector<std::string> field_names) {
  co_return co_await perform<record>(request_builder::get_record(object, entity_id, field_names), "get_record", object,
                                     [](const http_response& r) { return response_parser::parse_record(r.body); });
}

client::async_result<record> client::patch_record(std::string object, std::string entity_id,
                                                  std::vector<field_write> writes, bool return_all_fields,
                                                  bool overwrite_archived_conflict, call_options options) {
  co_return co_await perform<record>(
      request_builder::patch_record(object, entity_id, writes, return_all_fields, overwrite_archived_conflict),
      "patch_record", object, [](const http_response& r) { return response_parser::parse_record(r.body); }, options);
}

client::async_result<record> client::put_record(std::string object, std::string entity_id,
                                                std::vector<field_write> writes, bool overwrite_archived_conflict) {
  co_return co_await perform<record>(
      request_builder::put_record(object, entity_id, writes, overwrite_archived_conflict), "put_record", object,
      [](const http_response& r) { return response_parser::parse_record(r.body); });
}

client::async_result<record> client::add_record(std::string object, std::vector<field_write> writes,
                                                unarchive_mode unarchive, call_options options) {
  co_return co_await perform<record>(
      request_builder::add_record(object, writes, unarchive), "add_record", object,
      [](const http_response& r) { return response_parser::parse_record(r.body); }, options);
}

client::async_result<upsert_result> client::upsert_record(std::string object, std::string lookup_value,
                                                          std::vector<field_write> writes, upsert_options options,
                                                          call_options call) {
  co_return co_await perform<upsert_result>(
      request_builder::upsert_record(object, lookup_value, writes, options), "upsert_record", object,
      [](const http_response& r) { return response_parser::parse_upsert(r.body, r.status); }, call);
}

client::async_result<std::optional<record>> client::lookup_record(std::string object, std::string identifier,
                                                                  std::vector<std::string> field_names,
                                                                  bool all_fields, call_options options) {
  auto req = request_builder::lookup_record(object, identifier, field_names, all_fields);
  if (!req) co_return fail(invalid_request("lookup_record", req.error()));
  auto res = co_await call(*req, pool_->server().path_prefix + req->target, object, options);
  if (!res) co_return fail(redact(std::move(res).error()));
  if (res->status == 404) co_return std::optional<record>{};
  if (res->status < 200 || res->status > 299) {
    std::optional<std::chrono::milliseconds> retry_after;
    if (!res->retry_after.empty()) retry_after = parse_retry_after(res->retry_after, std::chrono::system_clock::now());
    co_return fail(
        redact(http_error(res->status, describe(*req), response_parser::describe_error_body(res->body), retry_after)));
  }
  auto rec = response_parser::parse_record(res->body);
  if (!rec) co_return fail(redact(protocol_error(res->status, describe(*req), rec.error())));
  co_return std::optional<record>(std::move(*rec));
}

client::async_result<page<record>> client::search_records(std::string object, search_query query,
                                                          std::optional<int> page_number, call_options options) {
  co_return co_await perform<page<record>>(
      request_builder::search_records(object, query, page_number), "search_records", object,
      [](const http_response& r) { return response_parser::parse_record_page(r.body); }, options);
}

client::async_result<page<record>> client::search_next(std::string next_url, search_query query) {
  auto target = pool_->server().same_origin_target(next_url);
  if (!target) co_return fail(invalid_request("search_next", target.error()));
  auto body = request_builder::search_body(query);
  if (!body) co_return fail(invalid_request("search_next", body.error()));
  const api_request req{http_method::post, *target, "/api/records/{object}/search", std::move(*body)};
  auto res = co_await call_ok(req, *target, object_of(*target));
  if (!res) co_return fail(std::move(res).error());
  auto parsed = response_parser::parse_record_page(res->body);
  if (!parsed) co_return fail(redact(protocol_error(res->status, describe(req), parsed.error())));
  co_return std::move(*parsed);
}

net::awaitable<result<void, error>> client::perform_void(request_builder::built req, std::string_view operation,
                                                         std::string object, call_options options) {
  if (!req) co_return fail(invalid_request(operation, req.error()));
  auto res = co_await call_ok(*req, pool_->server().path_prefix + req->target, object, options);
  if (!res) co_return fail(std::move(res).error());
  co_return ok;
}

client::async_result<void> client::archive_record(std::string object, std::string entity_id, call_options options) {
  auto req = request_builder::archive_record(object, entity_id);
  co_return co_await perform_void(std::move(req), "archive_record", std::move(object), options);
}

client::async_result<void> client::unarchive_record(std::string object, std::string entity_id) {
  auto req = request_builder::unarchive_record(object, entity_id);
  co_return co_await perform_void(std::move(req), "unarchive_record", std::move(object));
}

client::async_result<page<related_value>> client::field_values(std::string entity_id, std::string field_id,
                                                               std::optional<int> page_number, std::string search,
                                                               std::optional<int> page_size) {
  co_return co_await perform<page<related_value>>(
      request_builder::field_values(entity_id, field_id, page_number, page_size, search), "field_values", "",
      [](const http_response& r) { return response_parser::parse_field_values_page(r.body); });
}

client::async_result<std::vector<object_info>> client::list_objects(std::optional<int> page_size) {
  co_return co_await collect<object_info>(
      request_builder::list_objects(std::nullopt, page_size), "list_objects",
      [](std::string_view body) { return response_parser::parse_objects_page(body); });
}

client::async_result<std::vector<field_info>> client::list_fields(std::string object_uuid,
                                                                  std::optional<int> page_size) {
  co_return co_await collect<field_info>(
      request_builder::list_fields(object_uuid, page_size), "list_fields",
      [](std::string_view body) { return response_parser::parse_fields_page(body); });
}

}  // namespace ks::kizen
