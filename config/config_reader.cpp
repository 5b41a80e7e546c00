#include "config/config_reader.hpp"

#include "config/secret_file.hpp"
#include "config/sql_identifier.hpp"
#include "config/url_rules.hpp"

namespace ks::config {

namespace {

using keys = std::vector<std::string_view>;

const keys root_keys = {"kizen", "postgres", "daemon", "objects"};
const keys kizen_keys = {"base_url", "api_key",         "api_key_file",    "business_id",
                         "user_id",  "request_timeout", "max_connections", "max_requests_per_second",
                         "retry",    "tls_verify",      "ca_file",         "search_visibility_delay",
                         "outbound_share"};
const keys retry_keys = {"max_attempts", "initial_backoff", "max_backoff"};
const keys postgres_keys = {"url", "schema", "statement_timeout"};
const keys daemon_keys = {"http_listen",    "log_level",        "retention", "outbox_poll_interval",
                          "shutdown_grace", "summary_interval", "batch_size", "key_lease"};
const keys object_keys = {"object",
                          "table",
                          "key",
                          "entity_id_column",
                          "lookup",
                          "match_field",
                          "key_field",
                          "direction",
                          "conflict",
                          "pull_interval",
                          "pull_idle_interval",
                          "reconcile_interval",
                          "on_archive",
                          "fields"};
const keys field_keys = {"column", "field", "references", "multi", "direction", "type"};

const std::vector<std::pair<std::string_view, sync_direction>> directions = {
    {"both", sync_direction::both}, {"to_kizen", sync_direction::to_kizen}, {"from_kizen", sync_direction::from_kizen}};
const std::vector<std::pair<std::string_view, conflict_policy>> conflicts = {
    {"newest_wins", conflict_policy::newest_wins},
    {"database_wins", conflict_policy::database_wins},
    {"kizen_wins", conflict_policy::kizen_wins}};
const std::vector<std::pair<std::string_view, archive_policy>> archive_policies = {
    {"delete", archive_policy::delete_row}, {"ignore", archive_policy::ignore}};
const std::vector<std::pair<std::string_view, std::string_view>> log_levels = {
    {"trace", "trace"}, {"debug", "debug"}, {"info", "info"}, {"warn", "warn"}, {"error", "error"}};

// Kizen field types (docs/reference/API-NOTES.md); `type:` overrides what metadata says.
const std::vector<std::pair<std::string_view, std::string_view>> field_types = [] {
  std::vector<std::pair<std::string_view, std::string_view>> v;
  for (std::string_view t : {"checkbox", "checkboxes",    "choices", "date",     "datetime",     "decimal",
                             "dropdown", "dynamictags",   "email",   "files",    "integer",      "longtext",
                             "money",    "phonenumber",   "radio",   "rating",   "relationship", "selector",
                             "status",   "team_selector", "text",    "timezone", "wysiwyg",      "yesnomaybe"}) {
    v.emplace_back(t, t);
  }
  return v;
}();

bool has_control_character(std::string_view s) {
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return true;
  }
  return false;
}

// Values that end up in HTTP headers must not be able to break them.
bool check_header_value(yaml_reader& r, const scalar& s, const std::string& what) {
  if (s.text.empty()) {
    // Sent as a request header; Kizen answers a blank one with 401 missing_business_context.
    r.error(s.node, what + " is empty" + (s.from_environment ? " (the value from the environment)" : ""));
    return false;
  }
  if (!has_control_character(s.text)) return true;
  r.error(s.node, what + " contains a control character (line break, tab, ...)");
  return false;
}

std::optional<std::string> read_identifier(yaml_reader& r, const YAML::Node& map, std::string_view key,
                                           const std::string& path, bool required) {
  auto s = r.read_scalar(map, key, path, required);
  if (!s) return std::nullopt;
  const std::string full = yaml_reader::join_path(path, key);
  if (auto why = sql_identifier_problem(s->text)) {
    r.error(s->node, full + " " + (s->text.empty() ? std::string() : yaml_reader::shown(*s) + " ") + *why +
                         " (it must be a valid PostgreSQL identifier)");
    return std::nullopt;
  }
  return s->text;
}

bool valid_object_identifier(std::string_view s) {
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) return false;
  }
  return !s.empty();
}

// HOST:PORT with HOST a name, IPv4 or [IPv6].
bool valid_listen_address(std::string_view s) {
  std::size_t colon;
  if (!s.empty() && s.front() == '[') {
    const std::size_t close = s.find(']');
    if (close == std::string_view::npos || close == 1 || close + 1 >= s.size() || s[close + 1] != ':') {
      return false;
    }
    colon = close + 1;
  } else {
    colon = s.rfind(':');
    if (colon == std::string_view::npos || colon == 0) return false;
    if (s.substr(0, colon).find(':') != std::string_view::npos) return false;  // bare IPv6
  }
  const std::string_view port = s.substr(colon + 1);
  if (port.empty() || port.size() > 5) return false;
  unsigned value = 0;
  for (char c : port) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  return value <= 65535;  // 0: any free port (the bound port is logged at start)
}

class reader_impl {
 public:
  reader_impl(yaml_reader& r, std::string base_dir) : r_(r), base_dir_(std::move(base_dir)) {}

  config read(const YAML::Node& root) {
    config c;
    if (!r_.expect_map(root, "")) return c;
    r_.check_keys(root, "", root_keys);

    if (const YAML::Node kizen = required_section(root, "kizen"); kizen.IsDefined()) {
      read_kizen(kizen, c.kizen);
    }
    if (const YAML::Node postgres = required_section(root, "postgres"); postgres.IsDefined()) {
      read_postgres(postgres, c.postgres);
    }

    const YAML::Node daemon = r_.child(root, "daemon");
    if (daemon.IsDefined() && !daemon.IsNull() && r_.expect_map(daemon, "daemon")) {
      read_daemon(daemon, c.daemon);
    }
    // Every request for a key must be able to end within the key's lease.
    if (c.daemon.key_lease < 2 * c.kizen.request_timeout) {
      const YAML::Node at = daemon.IsDefined() && r_.child(daemon, "key_lease").IsDefined()
                                ? r_.child(daemon, "key_lease")
                                : root;
      r_.error(at, "daemon.key_lease (" + std::to_string(c.daemon.key_lease.count()) +
                       "ms) must be at least twice kizen.request_timeout (" +
                       std::to_string(c.kizen.request_timeout.count()) +
                       "ms): no request for a key may start unless it can end within the key's lease");
    }

    const YAML::Node objects = r_.child(root, "objects");
    if (!objects.IsDefined()) {
      r_.error(root, "missing required key 'objects' in the top level");
    } else if (objects.IsNull() || (objects.IsSequence() && objects.size() == 0)) {
      r_.error(objects.IsNull() ? r_.key_node(root, "objects") : objects,
               "objects is empty; map at least one Kizen object to a table");
    } else if (r_.expect_sequence(objects, "objects")) {
      for (std::size_t i = 0; i < objects.size(); ++i) {
        c.objects.push_back(read_object(objects[i], i));
      }
    }
    return c;
  }

 private:
  // The mapping under `name`, or an undefined node after reporting why there is none.
  YAML::Node required_section(const YAML::Node& root, std::string_view name) {
    const YAML::Node n = r_.child(root, name);
    if (!n.IsDefined()) {
      r_.error(root, "missing required key '" + std::string(name) + "' in the top level");
    } else if (n.IsNull()) {
      r_.error(r_.key_node(root, name), std::string(name) + " has no value");
    } else if (r_.expect_map(n, name)) {
      return n;
    }
    return YAML::Node(YAML::NodeType::Undefined);
  }

  void read_kizen(const YAML::Node& n, kizen_settings& k) {
    r_.check_keys(n, "kizen", kizen_keys);
    if (auto s = r_.read_text(n, "base_url", "kizen", true)) {
      if (auto why = base_url_problem(s->text)) {
        // A URL that may carry credentials is never echoed.
        const bool secret = s->text.find('@') != std::string::npos;
        r_.error(s->node,
                 "kizen.base_url " + *why + (secret ? std::string() : " (got " + yaml_reader::shown(*s) + ")"));
      } else {
        k.base_url = normalize_base_url(s->text);
      }
    }
    read_api_key(n, k);
    if (auto s = r_.read_text(n, "business_id", "kizen", true)) {
      if (check_header_value(r_, *s, "kizen.business_id")) k.business_id = s->text;
    }
    if (auto s = r_.read_text(n, "user_id", "kizen", true)) {
      if (check_header_value(r_, *s, "kizen.user_id")) k.user_id = s->text;
    }
    if (auto d = r_.read_duration(n, "request_timeout", "kizen", false)) k.request_timeout = *d;
    if (auto d = r_.read_duration(n, "search_visibility_delay", "kizen", true)) k.search_visibility_delay = *d;
    if (auto v = r_.read_int(n, "max_connections", "kizen", 1, 256)) {
      k.max_connections = static_cast<int>(*v);
    }
    if (auto v = r_.read_positive_number(n, "max_requests_per_second", "kizen")) {
      k.max_requests_per_second = *v;
    }
    if (auto v = r_.read_positive_number(n, "outbound_share", "kizen")) {
      if (*v > 0.9)
        r_.error(r_.child(n, "outbound_share"),
                 "kizen.outbound_share must be above 0 and at most 0.9 (got " + std::to_string(*v) +
                     "): it is the share of connections and rate the pulls leave to the outbound");
      else
        k.outbound_share = *v;
    }
    if (auto v = r_.read_bool(n, "tls_verify", "kizen")) k.tls_verify = *v;
    if (auto s = r_.read_scalar(n, "ca_file", "kizen", false); s && !s->text.empty()) {
      const std::string path = resolve_path(base_dir_, s->text);
      if (auto ok = check_readable_file(path); !ok) {
        r_.error(s->node, "kizen.ca_file: cannot read " + shown_path(*s, path) + ": " + ok.error());
      } else {
        k.ca_file = path;
      }
    }
    const YAML::Node retry = r_.child(n, "retry");
    if (retry.IsDefined() && !retry.IsNull() && r_.expect_map(retry, "kizen.retry")) {
      read_retry(retry, k.retry);
    }
  }

  void read_api_key(const YAML::Node& n, kizen_settings& k) {
    const bool inline_key = r_.child(n, "api_key").IsDefined();
    const bool key_file = r_.child(n, "api_key_file").IsDefined();
    if (inline_key && key_file) {
      r_.error(r_.key_node(n, "api_key_file"), "kizen.api_key and kizen.api_key_file are both set; use exactly one");
      return;
    }
    if (!inline_key && !key_file) {
      r_.error(n, "missing required key 'api_key' (or 'api_key_file') in kizen");
      return;
    }
    if (inline_key) {
      if (auto s = r_.read_text(n, "api_key", "kizen", true)) {
        if (check_header_value(r_, *s, "kizen.api_key")) k.api_key = s->text;
      }
      return;
    }
    auto s = r_.read_text(n, "api_key_file", "kizen", true);
    if (!s) return;
    const std::string path = resolve_path(base_dir_, s->text);
    auto key = read_secret_file(path);
    if (!key) {
      r_.error(s->node, "kizen.api_key_file: cannot use " + shown_path(*s, path) + ": " + key.error());
      return;
    }
    if (has_control_character(*key)) {
      r_.error(s->node, "kizen.api_key_file: the key in " + shown_path(*s, path) +
                            " contains a control character (more than one line?)");
      return;
    }
    k.api_key = std::move(*key);
  }

  void read_retry(const YAML::Node& n, retry_settings& retry) {
    r_.check_keys(n, "kizen.retry", retry_keys);
    if (auto v = r_.read_int(n, "max_attempts", "kizen.retry", 1, 1000)) {
      retry.max_attempts = static_cast<int>(*v);
    }
    const auto initial = r_.read_duration(n, "initial_backoff", "kizen.retry", false);
    if (initial) retry.initial_backoff = *initial;
    const auto max = r_.read_duration(n, "max_backoff", "kizen.retry", false);
    if (max) retry.max_backoff = *max;
    if ((initial || max) && retry.max_backoff < retry.initial_backoff) {
      const YAML::Node at = max ? r_.child(n, "max_backoff") : r_.child(n, "initial_backoff");
      r_.error(at, "kizen.retry.max_backoff (" + std::to_string(retry.max_backoff.count()) +
                       "ms) is shorter than kizen.retry.initial_backoff (" +
                       std::to_string(retry.initial_backoff.count()) + "ms)");
    }
  }

  void read_postgres(const YAML::Node& n, postgres_settings& p) {
    r_.check_keys(n, "postgres", postgres_keys);
    if (auto s = r_.read_text(n, "url", "postgres", true)) p.url = s->text;
    if (r_.child(n, "schema").IsDefined()) {
      if (auto id = read_identifier(r_, n, "schema", "postgres", true)) p.schema = *id;
    }
    if (auto d = r_.read_duration(n, "statement_timeout", "postgres", false)) p.statement_timeout = *d;
  }

  void read_daemon(const YAML::Node& n, daemon_settings& d) {
    r_.check_keys(n, "daemon", daemon_keys);
    if (auto s = r_.read_text(n, "http_listen", "daemon", false)) {
      if (!valid_listen_address(s->text)) {
        r_.error(s->node,
                 "daemon.http_listen must be HOST:PORT with PORT 0..65535 (0: any free port), e.g. "
                 "127.0.0.1:9464 or [::1]:9464 (got " +
                     yaml_reader::shown(*s) + ")");
      } else {
        d.http_listen = s->text;
      }
    }
    if (auto v = r_.read_enum(n, "log_level", "daemon", log_levels)) d.log_level = std::string(*v);
    // Zero is meaningful for these two: keep no audit trail / do not wait on shutdown.
    if (auto v = r_.read_duration(n, "retention", "daemon", true)) d.retention = *v;
    if (auto v = r_.read_duration(n, "shutdown_grace", "daemon", true)) d.shutdown_grace = *v;
    if (auto v = r_.read_duration(n, "outbox_poll_interval", "daemon", false)) {
      d.outbox_poll_interval = *v;
    }
    if (auto v = r_.read_duration(n, "summary_interval", "daemon", false)) d.summary_interval = *v;
    if (auto v = r_.read_int(n, "batch_size", "daemon", 1, 10000)) d.batch_size = static_cast<int>(*v);
    if (auto v = r_.read_duration(n, "key_lease", "daemon", false)) d.key_lease = *v;
  }

  object_mapping read_object(const YAML::Node& n, std::size_t index) {
    object_mapping m;
    const std::string path = object_path(index);
    m.where = r_.at(n);
    if (!r_.expect_map(n, path)) return m;
    r_.check_keys(n, path, object_keys);

    if (auto s = r_.read_text(n, "object", path, true)) {
      if (!valid_object_identifier(s->text)) {
        r_.error(s->node, path + ".object " + yaml_reader::shown(*s) +
                              " may contain only letters, digits, '_' and '-' (it is a Kizen "
                              "object_identifier such as client_client)");
      } else {
        m.object = s->text;
      }
    }
    read_table(n, path, m);
    if (auto id = read_identifier(r_, n, "key", path, true)) m.key = *id;
    if (auto id = read_identifier(r_, n, "entity_id_column", path, false)) m.entity_id_column = *id;
    if (auto id = read_identifier(r_, n, "lookup", path, false)) m.lookup = *id;
    if (auto s = r_.read_text(n, "match_field", path, false)) m.match_field = s->text;
    if (auto s = r_.read_text(n, "key_field", path, false)) m.key_field = s->text;
    if (auto v = r_.read_enum(n, "direction", path, directions)) m.direction = *v;
    if (auto v = r_.read_enum(n, "conflict", path, conflicts)) m.conflict = *v;
    if (auto v = r_.read_duration(n, "pull_interval", path, false)) m.pull_interval = *v;
    if (auto v = r_.read_duration(n, "pull_idle_interval", path, false)) {
      if (*v < m.pull_interval)
        r_.error(r_.child(n, "pull_idle_interval"), path + ".pull_idle_interval (" + std::to_string(v->count()) +
                                                        "ms) is shorter than its pull_interval (" +
                                                        std::to_string(m.pull_interval.count()) + "ms)");
      else
        m.pull_idle_interval = *v;
    }
    if (auto v = r_.read_duration(n, "reconcile_interval", path, false)) m.reconcile_interval = *v;
    if (auto v = r_.read_enum(n, "on_archive", path, archive_policies)) m.on_archive = *v;

    const YAML::Node fields = r_.child(n, "fields");
    const std::string fields_path = path + ".fields";
    if (!fields.IsDefined()) {
      r_.error(n, "missing required key 'fields' in " + path);
    } else if (fields.IsNull() || (fields.IsSequence() && fields.size() == 0)) {
      r_.error(fields.IsNull() ? r_.key_node(n, "fields") : fields,
               fields_path + " is empty; map at least one column to a Kizen field");
    } else if (r_.expect_sequence(fields, fields_path)) {
      for (std::size_t j = 0; j < fields.size(); ++j) {
        m.fields.push_back(read_field(fields[j], index, j, m.direction));
      }
    }
    return m;
  }

  void read_table(const YAML::Node& n, const std::string& path, object_mapping& m) {
    auto s = r_.read_text(n, "table", path, true);
    if (!s) return;
    const std::string full = path + ".table";
    const std::string& t = s->text;
    const std::size_t dot = t.find('.');
    if (dot != std::string::npos && t.find('.', dot + 1) != std::string::npos) {
      r_.error(s->node, full + " " + yaml_reader::shown(*s) + " must be NAME or SCHEMA.NAME (at most one '.')");
      return;
    }
    std::string schema = dot == std::string::npos ? "public" : t.substr(0, dot);
    std::string table = dot == std::string::npos ? t : t.substr(dot + 1);
    bool ok = true;
    if (auto why = sql_identifier_problem(schema)) {
      r_.error(s->node, full + " " + yaml_reader::shown(*s) + ": the schema name " + *why);
      ok = false;
    }
    if (auto why = sql_identifier_problem(table)) {
      r_.error(s->node, full + " " + yaml_reader::shown(*s) + ": the table name " + *why);
      ok = false;
    }
    if (ok) {
      m.table_schema = std::move(schema);
      m.table = std::move(table);
    }
  }

  field_mapping read_field(const YAML::Node& n, std::size_t object_index, std::size_t index,
                           sync_direction object_direction) {
    field_mapping f;
    const std::string path = field_path(object_index, index);
    f.where = r_.at(n);
    f.direction = object_direction;  // a field without `direction` follows its object
    if (!r_.expect_map(n, path)) return f;
    r_.check_keys(n, path, field_keys);
    if (auto id = read_identifier(r_, n, "column", path, true)) f.column = *id;
    if (auto s = r_.read_text(n, "field", path, true)) f.field = s->text;
    if (auto s = r_.read_text(n, "references", path, false)) f.references = s->text;
    if (auto v = r_.read_bool(n, "multi", path)) f.multi = *v;
    if (auto v = r_.read_enum(n, "direction", path, directions)) f.direction = *v;
    if (auto v = r_.read_enum(n, "type", path, field_types)) {
      f.type = std::string(*v);
      if (f.references && *v != "relationship") {
        r_.error(r_.child(n, "type"), path +
                                          " has references, so its type must be relationship "
                                          "(got '" +
                                          *f.type + "')");
      }
    }
    return f;
  }

  std::string shown_path(const scalar& s, const std::string& resolved) const {
    if (s.from_environment) return "the file named by the environment";
    return "'" + resolved + "'";
  }

  yaml_reader& r_;
  std::string base_dir_;
};

}  // namespace

config read_config(const YAML::Node& root, yaml_reader& reader, const std::string& base_dir) {
  return reader_impl(reader, base_dir).read(root);
}

}  // namespace ks::config
