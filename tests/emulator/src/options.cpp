#include "options.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>

namespace kizen_emulator {

namespace {

using F = ks::failure<std::string>;

template <class T>
bool parse_uint(const std::string& text, T& out, T max) {
  unsigned long long v = 0;
  const auto r = std::from_chars(text.data(), text.data() + text.size(), v);
  if (r.ec != std::errc() || r.ptr != text.data() + text.size() || v > max) return false;
  out = static_cast<T>(v);
  return true;
}

bool parse_rate(const std::string& text, double& out) {
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || !(v >= 0 && v <= 1)) return false;
  out = v;
  return true;
}

}  // namespace

std::string usage_text(const std::string& default_schema) {
  return "Usage: kizen-emulator --api-key K --business-id B --user-id U [options]\n"
         "\n"
         "A local Kizen Records API for development, tests and demos (see docs/emulator.md).\n"
         "Prints \"kizen-emulator listening on http://HOST:PORT\" as its first line, logs JSON lines\n"
         "to stderr, and exits 0 on SIGTERM/SIGINT (saving --state first).\n"
         "\n"
         "Required:\n"
         "  --api-key K              value every request must send in X-API-KEY\n"
         "  --business-id B          value every request must send in X-BUSINESS-ID\n"
         "  --user-id U              value every request must send in X-USER-ID\n"
         "\n"
         "Options:\n"
         "  --listen HOST:PORT       address to serve on (default 127.0.0.1:8089; port 0 picks a free port)\n"
         "  --schema FILE            objects and fields (YAML; default " +
         default_schema +
         ")\n"
         "  --state FILE             load the store from FILE at start (if it exists), save it on exit\n"
         "  --tls-cert FILE          serve HTTPS with this PEM certificate chain (needs --tls-key)\n"
         "  --tls-key FILE           PEM private key for --tls-cert\n"
         "  --log-level LEVEL        trace, debug (one line per request), info (default), warn, error, off\n"
         "  --max-logged-requests N  entries kept by /__emulator/requests (default 100000; counts are kept for all)\n"
         "  --help                   this text\n"
         "\n"
         "Fault injection (on /api/ only; change at run time with PUT /__emulator/faults):\n"
         "  --seed N                 seed of the fault generator (default 1): same requests, same faults\n"
         "  --fail-rate F            fraction of requests answered 500, 502 or 503 without being applied (0..1)\n"
         "  --rate-limit N           more than N requests in a rolling second get 429 with Retry-After (0 = off)\n"
         "  --latency-ms N           delay added before each request is handled (asynchronous)\n"
         "  --search-lag-ms N        search finds a record added N ms ago or later not yet, one\n"
         "                           archived that recently still (Kizen's search lags writes)\n"
         "  --reset-rate F           fraction of responses cut off halfway by a TCP reset (0..1)\n"
         "  --drop-response-rate F   fraction of writes applied but answered by closing the connection (0..1)\n"
         "\n"
         "Control API (no authentication): POST /__emulator/reset, GET /__emulator/state,\n"
         "GET|DELETE /__emulator/requests, GET|PUT /__emulator/faults, GET|PUT /__emulator/clock,\n"
         "GET /__emulator/health.\n"
         "\n"
         "Exit status: 0 after a signal, 1 on a runtime failure (e.g. cannot listen), 2 on bad usage,\n"
         "a bad schema or a bad state file.\n";
}

ks::result<emulator_options, std::string> parse_options(const std::vector<std::string>& args,
                                                        const std::string& default_schema) {
  emulator_options o;
  o.schema_path = default_schema;
  bool have_key = false, have_business = false, have_user = false;
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
    static const char* const known[] = {"--listen",
                                        "--schema",
                                        "--api-key",
                                        "--business-id",
                                        "--user-id",
                                        "--state",
                                        "--seed",
                                        "--fail-rate",
                                        "--rate-limit",
                                        "--latency-ms",
                                        "--search-lag-ms",
                                        "--reset-rate",
                                        "--drop-response-rate",
                                        "--tls-cert",
                                        "--tls-key",
                                        "--log-level",
                                        "--max-logged-requests"};
    bool is_known = false;
    for (const char* k : known) is_known |= flag == k;
    if (!is_known) return F{"unknown option '" + args[i] + "'"};
    if (!has_inline) {
      if (i + 1 >= args.size()) return F{flag + " needs a value"};
      value = args[++i];
    }
    if (flag == "--listen") {
      const auto colon = value.rfind(':');
      if (colon == std::string::npos || colon == 0) return F{"--listen: expected HOST:PORT, got '" + value + "'"};
      o.host = value.substr(0, colon);
      if (o.host.size() > 2 && o.host.front() == '[' && o.host.back() == ']')
        o.host = o.host.substr(1, o.host.size() - 2);
      if (!parse_uint<std::uint16_t>(value.substr(colon + 1), o.port, 65535))
        return F{"--listen: '" + value.substr(colon + 1) + "' is not a port number"};
    } else if (flag == "--schema") {
      o.schema_path = value;
    } else if (flag == "--api-key") {
      o.creds.api_key = value;
      have_key = true;
    } else if (flag == "--business-id") {
      o.creds.business_id = value;
      have_business = true;
    } else if (flag == "--user-id") {
      o.creds.user_id = value;
      have_user = true;
    } else if (flag == "--state") {
      o.state_path = value;
    } else if (flag == "--seed") {
      if (!parse_uint<std::uint64_t>(value, o.seed, UINT64_MAX))
        return F{"--seed: expected a non-negative integer, got '" + value + "'"};
    } else if (flag == "--fail-rate") {
      if (!parse_rate(value, o.faults.fail_rate))
        return F{"--fail-rate: expected a number from 0 to 1, got '" + value + "'"};
    } else if (flag == "--reset-rate") {
      if (!parse_rate(value, o.faults.reset_rate))
        return F{"--reset-rate: expected a number from 0 to 1, got '" + value + "'"};
    } else if (flag == "--drop-response-rate") {
      if (!parse_rate(value, o.faults.drop_response_rate))
        return F{"--drop-response-rate: expected a number from 0 to 1, got '" + value + "'"};
    } else if (flag == "--rate-limit") {
      if (!parse_uint<std::uint32_t>(value, o.faults.rate_limit, 1000000000))
        return F{"--rate-limit: expected a non-negative integer, got '" + value + "'"};
    } else if (flag == "--latency-ms") {
      if (!parse_uint<std::uint32_t>(value, o.faults.latency_ms, 3600000))
        return F{"--latency-ms: expected milliseconds (0 to 3600000), got '" + value + "'"};
    } else if (flag == "--search-lag-ms") {
      if (!parse_uint<std::uint32_t>(value, o.faults.search_lag_ms, 3600000))
        return F{"--search-lag-ms: expected milliseconds (0 to 3600000), got '" + value + "'"};
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
      if (!parse_uint<std::size_t>(value, o.request_log_limit, 100000000))
        return F{"--max-logged-requests: expected a non-negative integer, got '" + value + "'"};
    }
  }
  if (o.help) return o;
  if (!have_key) return F{"--api-key is required"};
  if (!have_business) return F{"--business-id is required"};
  if (!have_user) return F{"--user-id is required"};
  if (o.creds.api_key.empty() || o.creds.business_id.empty() || o.creds.user_id.empty())
    return F{"--api-key, --business-id and --user-id must not be empty"};
  if (o.tls_cert.empty() != o.tls_key.empty()) return F{"--tls-cert and --tls-key go together"};
  return o;
}

}  // namespace kizen_emulator
