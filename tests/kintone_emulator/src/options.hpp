#pragma once
// The command line of kintone-emulator.

#include <cstdint>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "schema.hpp"

namespace kintone_emulator {

struct emulator_options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8090;
  std::string schema_path;  // the built-in default unless --schema
  std::string state_path;
  std::uint64_t seed = 1;
  std::size_t concurrency_limit = 100;
  std::int64_t daily_limit = 10000;
  std::vector<std::string> tokens;  // TOKEN:APP:PERMISSIONS
  std::vector<std::string> users;   // LOGIN:PASSWORD[:admin]
  std::string tls_cert;
  std::string tls_key;
  std::string log_level = "info";
  std::size_t request_log_limit = 100000;
  bool help = false;
};

// args without the program name. Errors say which flag and why.
ks::result<emulator_options, std::string> parse_options(const std::vector<std::string>& args,
                                                        const std::string& default_schema);

// Adds the --api-token and --user credentials to the schema.
ks::result<void, std::string> apply_credentials(schema& s, const emulator_options& o);

std::string usage_text(const std::string& default_schema);

}  // namespace kintone_emulator
