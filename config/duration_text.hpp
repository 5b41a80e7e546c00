#pragma once
// Duration strings of the config file: a whole number and one unit (ms, s, m, h, d).

#include <string>
#include <string_view>

#include "common/result.hpp"
#include "config/config.hpp"

namespace ks::config {

// Upper bound for any configured duration: large enough for every real setting, small enough
// that now() + d can never overflow a nanosecond clock.
inline constexpr duration max_config_duration = std::chrono::hours(24 * 3650);

// The duration, or why the text is not one. The reason never repeats the text (it may have
// come from the environment); callers decide whether the value may be shown.
ks::result<duration, std::string> parse_duration_text(std::string_view text);

}  // namespace ks::config
