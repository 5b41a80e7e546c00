#pragma once
// ${VAR}, ${VAR:-default} and $$ inside config scalars.

#include <string>
#include <string_view>

#include "common/result.hpp"
#include "config/config_loader.hpp"

namespace ks::config {

struct expanded_text {
  std::string text;
  bool from_environment = false;  // some part came from a variable: never show it in messages
};

// Expands every ${NAME} / ${NAME:-default} (default also when NAME is set but empty, as in sh)
// and turns $$ into $. A '$' followed by anything else is an error, so a forgotten brace
// ($HOME) is caught instead of being sent as a literal. Error messages name variables, never
// their values.
ks::result<expanded_text, std::string> expand_environment(std::string_view text, const env_lookup& env);

}  // namespace ks::config
