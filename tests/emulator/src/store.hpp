#pragma once
// The record store: every record of every object (archived ones too), an identity index per
// object (name or email, normalised as lookup matches), and the tag options created at run time.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "field_value.hpp"
#include "schema.hpp"
#include "uuid.hpp"

namespace kizen_emulator {

struct record {
  std::string id;  // lower-case UUID
  std::size_t object = 0;
  std::int64_t created_ms = 0;
  std::int64_t updated_ms = 0;
  bool archived = false;
  std::int64_t archived_ms = 0;     // when it was last archived
  std::vector<field_value> values;  // one per field of the object (timestamps stay blank)
  std::string identity_key;         // normalised identity as indexed
};

// Lookup normalisation: ASCII case folded, leading/trailing spaces dropped, runs of whitespace
// collapsed to one space.
std::string normalize_identity(std::string_view text);

class store {
 public:
  explicit store(const schema& s);

  const schema& definitions() const { return schema_; }
  void clear();  // no records, tag options back to the schema's

  // Any record (archived too) by id; nullptr when absent.
  record* find(std::size_t object, std::string_view id);
  const record* find(std::size_t object, std::string_view id) const;
  // A record of any object.
  const record* find_any(std::string_view id) const;
  // The record (archived or not) holding this identity in the object.
  record* find_by_identity(std::size_t object, std::string_view identity);

  // Adds a record with a fresh id; created/updated as given.
  record& create(std::size_t object, std::int64_t now_ms);
  // Adds a record with a known id (state loading); nullptr if the id is taken.
  record* create_with_id(std::size_t object, std::string id);
  // Brings the identity index in line with the record's identity field (after any write).
  void reindex(record& r);

  // Records of one object in creation order (archived too).
  const std::vector<record*>& records(std::size_t object) const { return order_[object]; }

  // Live options of a dropdown or dynamictags field (tags grow at run time).
  const std::vector<option>& options(std::size_t object, std::size_t field) const { return options_[object][field]; }
  const option* option_by_id(std::size_t object, std::size_t field, std::string_view id) const;
  const option* option_by_name(std::size_t object, std::size_t field, std::string_view name) const;
  const option& add_option(std::size_t object, std::size_t field, std::string name, std::string id = {});

  // Display name of a record: the name for objects; for contacts the full name, else the email.
  std::string display_name(const record& r) const;
  std::string text_value(const record& r, std::string_view field_name) const;

  std::string new_id() { return ids_.next(); }

 private:
  const schema& schema_;
  uuid_generator ids_;
  std::vector<std::unordered_map<std::string, std::unique_ptr<record>>> records_;
  std::vector<std::vector<record*>> order_;
  std::vector<std::unordered_map<std::string, std::string>> identity_;  // key -> record id
  std::unordered_map<std::string, std::size_t> object_of_;              // record id -> object
  std::vector<std::vector<std::vector<option>>> options_;
};

}  // namespace kizen_emulator
