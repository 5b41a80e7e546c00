#pragma once
// Tests describe mapped tables as config object mappings (as users write them); the PostgreSQL
// connector takes its own table_mapping. These convert, the way the daemon does.

#include "config/connector_settings.hpp"

#include <vector>

namespace ks::test {

inline pg::table_mapping table(const config::object_mapping& m) { return config::table_mapping_of(m); }

inline std::vector<pg::table_mapping> tables(const std::vector<config::object_mapping>& objects) {
  std::vector<pg::table_mapping> out;
  for (const auto& o : objects) out.push_back(config::table_mapping_of(o));
  return out;
}

}  // namespace ks::test
