#include "daemon/engine/inbound/conflict_resolution.hpp"

#include "connectors/kizen/timestamp.hpp"

#include <algorithm>

namespace ks::engine {

namespace {

std::string at(wall_time t) {
  return kizen::format_timestamp(std::chrono::time_point_cast<std::chrono::microseconds>(t));
}

}  // namespace

conflict_resolution resolve_conflicts(config::conflict_policy policy, const std::vector<std::string>& received,
                                      const std::map<std::string, wall_time>& pending, wall_time kizen_updated,
                                      const std::vector<std::string>& unchanged_in_kizen) {
  conflict_resolution out;
  for (const auto& column : received) {
    const auto it = pending.find(column);
    if (it == pending.end()) {
      out.write.push_back(column);
      continue;
    }
    if (std::find(unchanged_in_kizen.begin(), unchanged_in_kizen.end(), column) != unchanged_in_kizen.end()) {
      out.keep.push_back(column);  // changed on the database side only
      continue;
    }
    bool kizen_wins = false;
    switch (policy) {
      case config::conflict_policy::kizen_wins: kizen_wins = true; break;
      case config::conflict_policy::database_wins: kizen_wins = false; break;
      case config::conflict_policy::newest_wins: kizen_wins = kizen_updated > it->second; break;
    }
    out.decisions.push_back(column + ": " + (kizen_wins ? "Kizen" : "database") + " wins (" +
                            config::to_string(policy) + "; Kizen updated " + at(kizen_updated) +
                            ", database change committed " + at(it->second) + ")");
    if (kizen_wins) {
      out.write.push_back(column);
      out.drop_pending.push_back(column);
    } else {
      out.keep.push_back(column);
    }
  }
  return out;
}

}  // namespace ks::engine
