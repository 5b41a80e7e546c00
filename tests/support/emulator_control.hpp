#pragma once
// Typed access to a running kizen-emulator's control API (/__emulator/, docs/emulator.md
// "Control API") for tests and benchmarks: the state dump, the request log, faults, the clock,
// reset; and authenticated /api/ calls for tests that act as a Kizen user.
//
//   ks::test::emulator_control kizen(emulator);          // an emulator_process
//   kizen.set_faults({.fail_rate = 0.2, .drop_response_rate = 0.1});
//   auto state = kizen.state();
//   for (const auto* r : state.live("client_client")) ... r->text("email") ...
//   auto log = kizen.requests();
//   auto patches = log.matching("PATCH", "/api/records/{object_identifier}/{entity_id}");
//
// Every call is one plain HTTP request (tests/support/http_call.hpp); a control call that does
// not answer as documented throws std::runtime_error naming the call and the answer.

#include "tests/support/http_call.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ks::test {

class emulator_process;

// One record of the state dump. Field values are plain: text/numbers/booleans/dates as read,
// dropdown = option name, dynamictags = list of names, relationship = record id (to-one) or list
// of ids (to-many); blank fields are absent.
struct emulator_record {
  std::string id;
  bool archived = false;
  std::string created;
  std::string updated;
  std::string name;
  boost::json::object fields;

  bool has(std::string_view field) const { return fields.contains(field); }
  // The field's value, or null when blank.
  const boost::json::value& field(std::string_view field) const;
  // A text/email/date/datetime/dropdown/to-one field as a string; nullopt when blank.
  std::optional<std::string> text(std::string_view field) const;
  // An integer field; nullopt when blank.
  std::optional<std::int64_t> integer(std::string_view field) const;
  // A dynamictags field's names or a to-many relationship's ids (sorted); empty when blank.
  std::vector<std::string> names(std::string_view field) const;
};

struct emulator_state {
  boost::json::object raw;                                                   // the whole dump
  std::map<std::string, std::vector<emulator_record>, std::less<>> objects;  // in creation order

  // Every record of `object` (archived too), in creation order.
  const std::vector<emulator_record>& records(std::string_view object) const;
  // The records of `object` that are not archived.
  std::vector<const emulator_record*> live(std::string_view object) const;
  // The record with this id (any object), or nullptr.
  const emulator_record* find(std::string_view id) const;
  // The live records of `object` whose `field` reads `value` as text (e.g. email, external_id).
  std::vector<const emulator_record*> live_where(std::string_view object, std::string_view field,
                                                 std::string_view value) const;
  // A dynamictags field's known tags ("<object>.<field>" in the dump), by name.
  std::vector<std::string> tags(std::string_view object, std::string_view field) const;
};

struct logged_request {
  std::int64_t seq = 0;
  std::string method;
  std::string path;           // as requested, without the query
  std::string path_template;  // e.g. /api/records/{object_identifier}/{entity_id}
  std::map<std::string, std::string> query;
  boost::json::value body;           // JSON, the raw text, or null
  int status = 0;                    // what it answered (or would have, for dropped/reset ones)
  std::optional<std::string> fault;  // fail, throttle, reset, drop_response
  std::string at;                    // ISO-8601 UTC with milliseconds

  // The object_identifier / entity_id segments of a records path (nullopt when not one).
  std::optional<std::string> object() const;
  std::optional<std::string> entity_id() const;
  // Did the emulator apply it? (2xx and not failed or throttled; dropped/reset writes did apply.)
  bool applied() const;
  // The `fields` entries of a write body, by field name (empty for other bodies).
  std::map<std::string, boost::json::object> field_writes() const;
};

struct request_log {
  std::int64_t total = 0;                      // every /api/ request since the last clear (even those no longer kept)
  std::vector<logged_request> requests;        // in order
  std::map<std::string, std::int64_t> counts;  // "METHOD path_template" -> n

  // The requests with this method (empty = any) and path template (empty = any).
  std::vector<const logged_request*> matching(std::string_view method, std::string_view path_template = {}) const;
  // The last sequence number seen (for requests(since)).
  std::int64_t last_seq() const { return requests.empty() ? 0 : requests.back().seq; }
};

// Fault settings; in set_faults() only the members that hold a value are changed.
struct fault_settings {
  std::optional<double> fail_rate{};
  std::optional<int> rate_limit{};
  std::optional<int> latency_ms{};
  std::optional<double> reset_rate{};
  std::optional<double> drop_response_rate{};
  std::optional<int> search_lag_ms{};
  std::optional<std::uint64_t> seed{};
};

// Path templates of the records API, as the request log names them.
inline constexpr const char* record_path = "/api/records/{object_identifier}/{entity_id}";
inline constexpr const char* add_path = "/api/records/{object_identifier}/add";
inline constexpr const char* upsert_path = "/api/records/{object_identifier}/upsert";
inline constexpr const char* search_path = "/api/records/{object_identifier}/search";

class emulator_control {
 public:
  // base_url: http://127.0.0.1:PORT; the credentials are those the emulator was started with.
  emulator_control(std::string base_url, std::string api_key, std::string business_id, std::string user_id);
  explicit emulator_control(const emulator_process& emulator);

  const std::string& base_url() const { return base_url_; }

  emulator_state state() const;                         // GET /__emulator/state
  request_log requests(std::int64_t since = 0) const;   // GET /__emulator/requests
  void clear_requests() const;                          // DELETE /__emulator/requests
  fault_settings faults() const;                        // GET /__emulator/faults
  void set_faults(const fault_settings& faults) const;  // PUT /__emulator/faults
  void clear_faults() const;                            // every rate and the latency back to 0 (the seed stays)
  // PUT /__emulator/clock: freeze at an ISO-8601 time, or unfreeze with nullopt.
  void freeze_clock(const std::optional<std::string>& at) const;
  void reset() const;    // POST /__emulator/reset
  bool healthy() const;  // GET /__emulator/health answers {"ok": true}

  // An authenticated /api/ call as a Kizen user would make it (headers X-API-KEY, ...).
  // `target` is the path and query, e.g. "/api/records/client_client/search".
  http_reply api(std::string_view method, std::string_view target, std::string_view body = {}) const;
  // api(), checked: throws unless the status is 2xx; returns the JSON body (null if empty).
  boost::json::value api_json(std::string_view method, std::string_view target, std::string_view body = {}) const;

 private:
  http_reply control(std::string_view method, std::string_view target, std::string_view body = {}) const;

  std::string base_url_;
  std::string api_key_;
  std::string business_id_;
  std::string user_id_;
};

}  // namespace ks::test
