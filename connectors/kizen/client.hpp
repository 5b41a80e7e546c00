#pragma once
// The Kizen Records API client: one typed coroutine per operation the daemon needs.
//
//   auto made = ks::kizen::client::create(io.get_executor(), cfg.kizen, logger);
//   if (!made) { /* made.error().message */ }
//   auto& kizen = **made;
//   auto r = co_await kizen.upsert_record("client_client", "ann@example.com",
//                                         {ks::kizen::field_write::set("first_name", "Ann")});
//   if (!r && r.error().retryable) { /* back off: retry_policy, r.error().retry_after */ }
//
// One attempt per call: retrying is the caller's decision (an `add` must never be blindly
// retried). Arguments are taken by value because the coroutine may outlive the caller's
// temporaries. Each call logs one JSON line at debug level: method, path template, object,
// http_status, duration_ms (never headers or bodies). Same threading rule as http_pool: use a
// client from the thread running its executor; it must outlive the calls in progress.

#include <spdlog/logger.h>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "connectors/kizen/client_settings.hpp"
#include "connectors/kizen/error.hpp"
#include "connectors/kizen/field_write.hpp"
#include "connectors/kizen/http_pool.hpp"
#include "connectors/kizen/metadata.hpp"
#include "connectors/kizen/page.hpp"
#include "connectors/kizen/record.hpp"
#include "connectors/kizen/request_builder.hpp"
#include "connectors/kizen/search_query.hpp"

namespace ks::kizen {

class client {
 public:
  template <class T>
  using async_result = boost::asio::awaitable<result<T, error>>;

  // Fails on unusable settings (see http_pool::create).
  static result<std::unique_ptr<client>, error> create(boost::asio::any_io_executor executor,
                                                       const client_settings& settings,
                                                       std::shared_ptr<spdlog::logger> logger,
                                                       http_pool::options pool_options = {});

  // GET /api/records/{object}/{id}. A 404 (archived or deleted) is an http error with status 404.
  async_result<record> get_record(std::string object, std::string entity_id, std::vector<std::string> field_names = {});
  // PATCH: only the fields written change; the answer holds only those unless return_all_fields.
  // overwrite_archived_conflict: take over an identity (name/email) held by an archived record.
  async_result<record> patch_record(std::string object, std::string entity_id, std::vector<field_write> writes,
                                    bool return_all_fields = false, bool overwrite_archived_conflict = false,
                                    call_options options = {});
  // PUT: fields not sent become blank.
  async_result<record> put_record(std::string object, std::string entity_id, std::vector<field_write> writes,
                                  bool overwrite_archived_conflict = false);
  // POST /add. Not idempotent: after a timeout, search before trying again.
  async_result<record> add_record(std::string object, std::vector<field_write> writes,
                                  unarchive_mode unarchive = unarchive_mode::server_default, call_options options = {});
  // POST /upsert, matched by lookup_value (a contact's email, an object record's name). Safe to
  // retry. `created` tells whether a new record was made.
  async_result<upsert_result> upsert_record(std::string object, std::string lookup_value,
                                            std::vector<field_write> writes, upsert_options options = {},
                                            call_options call = {});
  // GET /lookup by name or email. No match (404) is an empty optional, not an error. Returns the
  // default fields only unless field_names or all_fields say otherwise.
  async_result<std::optional<record>> lookup_record(std::string object, std::string identifier,
                                                    std::vector<std::string> field_names = {}, bool all_fields = false,
                                                    call_options options = {});
  // POST /search; page is 1-based (nullopt: the first).
  async_result<page<record>> search_records(std::string object, search_query query,
                                            std::optional<int> page = std::nullopt, call_options options = {});
  // The next page: re-POSTs the query's body to `next_url` (a page's `next`). A URL on another
  // scheme, host or port is refused (invalid_request) and nothing is sent.
  async_result<page<record>> search_next(std::string next_url, search_query query);
  // DELETE: archives (204).
  async_result<void> archive_record(std::string object, std::string entity_id, call_options options = {});
  // PATCH /unarchive.
  async_result<void> unarchive_record(std::string object, std::string entity_id);
  // GET field-values of a summarized relationship field; follow with page + 1 while `next` is set.
  async_result<page<related_value>> field_values(std::string entity_id, std::string field_id,
                                                 std::optional<int> page = std::nullopt, std::string search = {},
                                                 std::optional<int> page_size = std::nullopt);
  // Every object (custom_only=false), following `next` to the end; page_size only changes how
  // many requests that takes.
  async_result<std::vector<object_info>> list_objects(std::optional<int> page_size = std::nullopt);
  // Every field of one object (by its UUID from list_objects), following `next` to the end.
  async_result<std::vector<field_info>> list_fields(std::string object_uuid,
                                                    std::optional<int> page_size = std::nullopt);

  // A client on the same connections and rate limit whose every request is in `lane` (the pulls'
  // client is background: it never takes the outbound's share). This client must outlive it.
  std::unique_ptr<client> on_lane(request_lane lane) const;

  const http_pool& pool() const { return *pool_; }
  pool_stats stats() const { return pool_->stats(); }

 private:
  client(std::shared_ptr<http_pool> pool, std::shared_ptr<spdlog::logger> logger, std::string api_key,
         request_lane lane = request_lane::outbound);

  // Sends and logs; answers with the response whatever its status, or the transport error.
  // `full_target` includes the base URL's path prefix.
  boost::asio::awaitable<result<http_response, error>> call(const api_request& req, std::string full_target,
                                                            std::string_view object, call_options options = {});
  // As call(), but a non-2xx status becomes the classified http error.
  boost::asio::awaitable<result<http_response, error>> call_ok(const api_request& req, std::string full_target,
                                                               std::string_view object, call_options options = {});
  // Builds, sends, checks the status and parses: the shape of most operations.
  template <class T, class Parse>
  boost::asio::awaitable<result<T, error>> perform(request_builder::built req, std::string_view operation,
                                                   std::string object, Parse parse, call_options options = {});
  // perform() for operations that answer with no body worth reading (archive, unarchive).
  boost::asio::awaitable<result<void, error>> perform_void(request_builder::built req, std::string_view operation,
                                                           std::string object, call_options options = {});
  // Follows `next` from the first page to the last (list_objects, list_fields).
  template <class T, class Parse>
  boost::asio::awaitable<result<std::vector<T>, error>> collect(request_builder::built first,
                                                                std::string_view operation, Parse parse);
  error redact(error e) const;

  std::shared_ptr<http_pool> pool_;
  request_lane lane_;
  std::shared_ptr<spdlog::logger> logger_;
  std::string api_key_;  // only to scrub it from server text that might echo it
};

}  // namespace ks::kizen
