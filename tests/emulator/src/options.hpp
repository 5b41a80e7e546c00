#pragma once
// The command line of kizen-emulator.

#include <cstdint>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "faults.hpp"
#include "records_api.hpp"

namespace kizen_emulator {

struct emulator_options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8089;
  std::string schema_path;  // the built-in default unless --schema
  credentials creds;
  std::string state_path;
  std::uint64_t seed = 1;
  fault_settings faults;
  std::string tls_cert;
  std::string tls_key;
  std::string log_level = "info";
  std::size_t request_log_limit = 100000;
  bool help = false;
};

// args without the program name. Errors say which flag and why.
ks::result<emulator_options, std::string> parse_options(const std::vector<std::string>& args,
                                                        const std::string& default_schema);

std::string usage_text(const std::string& default_schema);

}  // namespace kizen_emulator
