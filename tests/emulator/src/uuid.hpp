#pragma once
// UUID helpers: the path pattern of the OpenAPI document, random v4 ids for new records and
// tags, and stable name-derived ids for schema entries a schema file leaves out.

#include <cstdint>
#include <random>
#include <string>
#include <string_view>

namespace kizen_emulator {

// True for 8-4-4-4-12 hex digits, any case: the entity_id pattern of the contract.
bool is_uuid(std::string_view text);

// Lower-case form used for every id the emulator stores and compares.
std::string lower_uuid(std::string_view text);

// A stable v4-shaped id derived from a namespace id and a name (FNV-based; not RFC 4122 v5).
std::string derived_uuid(std::string_view namespace_id, std::string_view name);

class uuid_generator {
 public:
  uuid_generator();
  std::string next();

 private:
  std::mt19937_64 rng_;
};

}  // namespace kizen_emulator
