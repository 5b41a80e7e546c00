#pragma once
// The configuration as plain structs: what config_loader produces from the YAML file described
// in DESIGN.md "Config". Every other area reads these; none of them parse YAML.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace ks::config {

using duration = std::chrono::milliseconds;
using namespace std::chrono_literals;

// Where a value came from in the YAML file, so runtime errors can name the place too
// (e.g. "objects[0].fields[2]: Kizen has no field 'lead_score'").
struct source_location {
  std::string file;
  int line = 0;    // 1-based; 0 when unknown
  int column = 0;  // 1-based; 0 when unknown
};

enum class sync_direction { both, to_kizen, from_kizen };
enum class conflict_policy { newest_wins, database_wins, kizen_wins };
enum class archive_policy { delete_row, ignore };  // YAML: delete | ignore

struct retry_settings {
  int max_attempts = 10;
  duration initial_backoff = 250ms;
  duration max_backoff = 5min;
};

struct kizen_settings {
  std::string base_url;  // https://app.go.kizen.com; http:// only for loopback hosts
  std::string api_key;   // secret: inline, ${VAR}, or read from api_key_file; never logged
  std::string business_id;
  std::string user_id;
  duration request_timeout = 15s;
  int max_connections = 8;              // parallel requests in flight
  double max_requests_per_second = 20;  // client-side token bucket
  // The share of max_connections and of the rate kept for the outbound whatever the pulls do.
  double outbound_share = 0.5;
  retry_settings retry;
  // How long Kizen's search may lag behind a write (API-NOTES: up to 2 s observed). An add whose
  // answer was lost is looked for by search only after this, so a record it did create is found
  // instead of added a second time.
  duration search_visibility_delay = 5s;
  bool tls_verify = true;  // false only by explicit config (loud warning at start)
  std::string ca_file;     // optional extra CA bundle (PEM); empty = system store
};

struct postgres_settings {
  std::string url;                    // libpq connection string or URI; may hold a password
  std::string schema = "kizen_sync";  // where the daemon keeps its own tables
  // The longest one statement of the daemon may run (PostgreSQL's statement_timeout on every
  // connection, lock waits included); the claim loop's client-side deadline is twice this.
  duration statement_timeout = 30s;
};

struct daemon_settings {
  std::string http_listen = "127.0.0.1:9464";       // /healthz, /metrics
  std::string log_level = "info";                   // trace | debug | info | warn | error
  duration retention = std::chrono::hours(24 * 7);  // applied changes kept for audit
  duration outbox_poll_interval = 5s;               // fallback when a notification is missed
  duration shutdown_grace = 30s;                    // SIGTERM: time to finish in-flight work
  duration summary_interval = 60s;                  // periodic info summary line
  int batch_size = 200;                             // outbox rows claimed per round trip
  // How long a claim holds a key: no other daemon (or process) sends for it meanwhile, and after
  // a kill -9 its keys wait at most this long before another daemon takes them. At least twice
  // kizen.request_timeout.
  duration key_lease = 60s;
};

struct field_mapping {
  std::string column;                               // table column
  std::string field;                                // Kizen field API name
  std::optional<std::string> references;            // relationship: the `object` of another mapping
  bool multi = false;                               // multi-value: written with add_values/remove_values
  sync_direction direction = sync_direction::both;  // field-level ownership
  std::optional<std::string> type;                  // Kizen field_type override; normally from metadata
  source_location where;
};

struct object_mapping {
  std::string object;                           // Kizen object_identifier, e.g. client_client
  std::string table_schema = "public";          // from `table: schema.name`; default public
  std::string table;                            // unquoted identifier
  std::string key;                              // external key column (unique)
  std::optional<std::string> entity_id_column;  // uuid column mirroring the Kizen record id
  std::optional<std::string> lookup;            // column holding the Kizen lookup value
  std::optional<std::string> match_field;       // Kizen field that stores our key (search + add)
  std::optional<std::string> key_field;         // where pulled records keep our key
  sync_direction direction = sync_direction::both;
  conflict_policy conflict = conflict_policy::newest_wins;
  duration pull_interval = 5s;
  // An object whose pulls find nothing waits longer between them, doubling up to this (default
  // 4 × pull_interval), so many idle objects leave Kizen's rate to the outbound; the first pull
  // that finds a change goes back to pull_interval.
  std::optional<duration> pull_idle_interval;
  duration reconcile_interval = 1h;
  archive_policy on_archive = archive_policy::delete_row;
  std::vector<field_mapping> fields;
  source_location where;

  // The mapping of `column`, or nullptr.
  const field_mapping* field_for_column(const std::string& column) const;
  // The mapping whose Kizen field is `field`, or nullptr.
  const field_mapping* field_for_kizen_field(const std::string& field) const;
};

struct config {
  std::string source_file;
  kizen_settings kizen;
  postgres_settings postgres;
  daemon_settings daemon;
  std::vector<object_mapping> objects;

  // The mapping for a Kizen object_identifier, or nullptr.
  const object_mapping* find_object(const std::string& object) const;
};

const char* to_string(sync_direction d);
const char* to_string(conflict_policy p);
const char* to_string(archive_policy p);

}  // namespace ks::config
