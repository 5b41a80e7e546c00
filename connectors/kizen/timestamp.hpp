#pragma once
// Kizen timestamps: ISO-8601 in UTC on the way out ("2024-12-31T06:00:00.000Z", what search
// filters expect), ISO-8601 with any offset and precision on the way in.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace ks::kizen {

using timestamp = std::chrono::sys_time<std::chrono::microseconds>;

// "YYYY-MM-DD[T| ]HH:MM[:SS[.fraction]][Z|±HH:MM|±HHMM]"; no offset means UTC. A date alone
// ("YYYY-MM-DD") is midnight UTC. Fractions beyond microseconds are truncated. nullopt when
// the text is not such a timestamp or names an impossible date or time.
std::optional<timestamp> parse_timestamp(std::string_view text);

// "YYYY-MM-DDTHH:MM:SS.sssZ" (milliseconds, truncated).
std::string format_timestamp(timestamp t);

}  // namespace ks::kizen
