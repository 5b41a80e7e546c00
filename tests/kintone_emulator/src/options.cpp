#include "options.hpp"

#include <charconv>

namespace kintone_emulator {

namespace {

using F = ks::failure<std::string>;

template <class T>
bool parse_uint(const std::string& text, T& out, unsigned long long min, unsigned long long max) {
  unsigned long long v = 0;
  const auto r = std::from_chars(text.data(), text.data() + text.size(), v);
  if (r.ec != std::errc() || r.ptr != text.data() + text.size() || v < min || v > max) return false;
  out = static_cast<T>(v);
  return true;
}

}  // namespace

std::string usage_text(const std::string& default_schema) {
  return "Usage: kintone-emulator [options]\n"
         "\n"
         "A local Kintone REST record API for development, tests and demos (docs/kintone-emulator.md).\n"
         "Prints \"kintone-emulator listening on http://HOST:PORT\" as its first line, logs JSON lines\n"
         "to stderr, and exits 0 on SIGTERM/SIGINT (saving --state first).\n"
         "\n"
         "Options:\n"
         "  --listen HOST:PORT        address to serve on (default 127.0.0.1:8090; port 0 picks a free port)\n"
         "  --schema FILE             apps, fields, tokens and users (YAML; default " +
         default_schema +
         ")\n"
         "  --api-token T:APP:PERMS   add API token T to app APP with PERMS (comma-separated view, add, edit,\n"
         "                            delete, manage); repeatable\n"
         "  --user LOGIN:PASSWORD[:admin]  add a user for X-Cybozu-Authorization with view, add, edit and delete\n"
         "                            on every app (admin: every permission); repeatable\n"
         "  --concurrency-limit N     requests in flight before 429 GAIA_TO04 (default 100)\n"
         "  --daily-limit N           requests per app per day reported as the limit (default 10000)\n"
         "  --state FILE              load the records from FILE at start (if it exists), save them on exit\n"
         "  --seed N                  seed of the fault generator (default 1): same requests, same faults\n"
         "  --tls-cert FILE           serve HTTPS with this PEM certificate chain (needs --tls-key)\n"
         "  --tls-key FILE            PEM private key for --tls-cert\n"
         "  --log-level LEVEL         trace, debug (one line per request), info (default), warn, error, off\n"
         "  --max-logged-requests N   entries kept by /__emulator/requests (default 100000)\n"
         "  --help                    this text\n"
         "\n"
         "Control API (no authentication): POST /__emulator/reset, GET /__emulator/state,\n"
         "GET|DELETE /__emulator/requests, GET|PUT|DELETE /__emulator/faults, GET|PUT /__emulator/clock,\n"
         "GET|DELETE /__emulator/counters, PUT /__emulator/limits, GET /__emulator/cursors,\n"
         "POST|PUT|DELETE /__emulator/apps/{app}/records, GET /__emulator/health.\n"
         "\n"
         "Exit status: 0 after a signal, 1 on a runtime failure (e.g. cannot listen), 2 on bad usage,\n"
         "a bad schema or a bad state file.\n";
}

ks::result<emulator_options, std::string> parse_options(const std::vector<std::string>& args,
                                                        const std::string& default_schema) {
  emulator_options o;
  o.schema_path = default_schema;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string flag = args[i];
    std::string value;
    bool has_inline = false;
    if (const auto eq = flag.find('='); flag.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = flag.substr(eq + 1);
      flag = flag.substr(0, eq);
      has_inline = true;
    }
    if (flag == "--help" || flag == "-h") {
      o.help = true;
      continue;
    }
    static const char* const known[] = {
        "--listen",    "--schema", "--state",    "--seed",    "--concurrency-limit", "--daily-limit",
        "--api-token", "--user",   "--tls-cert", "--tls-key", "--log-level",         "--max-logged-requests"};
    bool is_known = false;
    for (const char* k : known) is_known |= flag == k;
    if (!is_known) return F{"unknown option '" + args[i] + "'"};
    if (!has_inline) {
      if (i + 1 >= args.size()) return F{flag + " needs a value"};
      value = args[++i];
    }
    if (flag == "--listen") {
      const auto colon = value.rfind(':');
      if (colon == std::string::npos) return F{"--listen: expected HOST:PORT, got '" + value + "'"};
      o.host = colon == 0 ? "127.0.0.1" : value.substr(0, colon);
      if (o.host.size() > 2 && o.host.front() == '[' && o.host.back() == ']')
        o.host = o.host.substr(1, o.host.size() - 2);
      if (!parse_uint(value.substr(colon + 1), o.port, 0, 65535))
        return F{"--listen: '" + value.substr(colon + 1) + "' is not a port number"};
    } else if (flag == "--schema") {
      o.schema_path = value;
    } else if (flag == "--state") {
      o.state_path = value;
    } else if (flag == "--seed") {
      if (!parse_uint(value, o.seed, 0, UINT64_MAX))
        return F{"--seed: expected a non-negative integer, got '" + value + "'"};
    } else if (flag == "--concurrency-limit") {
      if (!parse_uint(value, o.concurrency_limit, 1, 1000000))
        return F{"--concurrency-limit: expected a positive integer, got '" + value + "'"};
    } else if (flag == "--daily-limit") {
      if (!parse_uint(value, o.daily_limit, 1, 1000000000))
        return F{"--daily-limit: expected a positive integer, got '" + value + "'"};
    } else if (flag == "--api-token") {
      o.tokens.push_back(value);
    } else if (flag == "--user") {
      o.users.push_back(value);
    } else if (flag == "--tls-cert") {
      o.tls_cert = value;
    } else if (flag == "--tls-key") {
      o.tls_key = value;
    } else if (flag == "--log-level") {
      static const char* const levels[] = {"trace", "debug", "info", "warn", "error", "critical", "off"};
      bool ok = false;
      for (const char* l : levels) ok |= value == l;
      if (!ok) return F{"--log-level: expected trace, debug, info, warn, error or off, got '" + value + "'"};
      o.log_level = value;
    } else if (flag == "--max-logged-requests") {
      if (!parse_uint(value, o.request_log_limit, 0, 100000000))
        return F{"--max-logged-requests: expected a non-negative integer"};
    }
  }
  if (o.tls_cert.empty() != o.tls_key.empty()) return F{"--tls-cert and --tls-key go together"};
  return o;
}

ks::result<void, std::string> apply_credentials(schema& s, const emulator_options& o) {
  for (const auto& spec : o.tokens) {
    const auto a = spec.find(':');
    const auto b = a == std::string::npos ? a : spec.find(':', a + 1);
    if (b == std::string::npos) return F{"--api-token: expected TOKEN:APP:PERMISSIONS, got '" + spec + "'"};
    token_def t;
    t.token = spec.substr(0, a);
    std::int64_t app = 0;
    const auto app_text = spec.substr(a + 1, b - a - 1);
    if (!parse_uint(app_text, app, 1, INT64_MAX)) return F{"--api-token: '" + app_text + "' is not an app id"};
    const auto perms = parse_permissions(spec.substr(b + 1));
    if (!perms) return F{"--api-token: permissions are view, add, edit, delete, manage"};
    t.perms = *perms;
    if (t.token.empty() || s.app_of_token(t.token)) return F{"--api-token: '" + t.token + "' is empty or used already"};
    app_def* target = nullptr;
    for (auto& x : s.apps)
      if (x.id == app) target = &x;
    if (!target) return F{"--api-token: no app " + app_text + " in the schema"};
    target->tokens.push_back(std::move(t));
  }
  for (const auto& spec : o.users) {
    const auto a = spec.find(':');
    if (a == std::string::npos || a == 0) return F{"--user: expected LOGIN:PASSWORD[:admin], got '" + spec + "'"};
    user_def u;
    u.login = spec.substr(0, a);
    u.password = spec.substr(a + 1);
    if (u.password.size() > 6 && u.password.ends_with(":admin")) {
      u.password.resize(u.password.size() - 6);
      u.admin = true;
    }
    if (u.password.empty()) return F{"--user: the password must not be empty"};
    u.name = u.login;
    for (const auto& app : s.apps) u.apps[app.id] = {true, true, true, true, false};
    std::erase_if(s.users, [&](const user_def& x) { return x.login == u.login; });
    s.users.push_back(std::move(u));
  }
  return ks::ok;
}

}  // namespace kintone_emulator
