#include "connectors/postgres/capture_trigger.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>

namespace ks::pg {
namespace {

constexpr std::size_t max_identifier_bytes = 63;

std::uint32_t fnv1a(const std::string& text) {
  std::uint32_t h = 2166136261u;
  for (unsigned char c : text) {
    h ^= c;
    h *= 16777619u;
  }
  return h;
}

std::string hex8(std::uint32_t v) {
  char buf[9];
  std::snprintf(buf, sizeof buf, "%08x", v);
  return buf;
}

// The longest prefix of `text` of at most `bytes` bytes that does not split a UTF-8 sequence.
std::string utf8_prefix(const std::string& text, std::size_t bytes) {
  if (text.size() <= bytes) return text;
  std::size_t end = bytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end);
}

void add_unique(std::vector<std::string>& list, const std::string& column) {
  if (std::find(list.begin(), list.end(), column) == list.end()) list.push_back(column);
}

}  // namespace

std::vector<std::string> captured_columns(const table_mapping& mapping) {
  std::vector<std::string> out;
  if (!mapping.sends) return out;
  add_unique(out, mapping.key);
  if (mapping.lookup) add_unique(out, *mapping.lookup);
  for (const auto& f : mapping.fields)
    if (f.sent) add_unique(out, f.name);
  return out;
}

std::string capture_trigger_name(const std::string& schema, const std::string& object) {
  std::string readable;
  for (char c : object) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    readable += plain ? c : (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : '_';
  }
  const std::string prefix = "ks_capture_";
  const std::string suffix = "_" + hex8(fnv1a(schema + '\0' + object));
  readable = readable.substr(0, max_identifier_bytes - prefix.size() - suffix.size());
  return prefix + readable + suffix;
}

std::string notify_channel(const std::string& schema) {
  const std::string suffix = "_changes";
  if (schema.size() + suffix.size() <= max_identifier_bytes) return schema + suffix;
  const std::string hash = "_" + hex8(fnv1a(schema));
  return utf8_prefix(schema, max_identifier_bytes - suffix.size() - hash.size()) + hash + suffix;
}

std::vector<std::string> capture_trigger::arguments() const {
  std::vector<std::string> out{object, key_column, entity_id_column};
  out.insert(out.end(), captured_columns.begin(), captured_columns.end());
  return out;
}

std::optional<capture_trigger> capture_trigger::for_object(const std::string& schema, const table_mapping& mapping) {
  if (!mapping.sends) return std::nullopt;
  capture_trigger t;
  t.object = mapping.object;
  t.table_schema = mapping.table_schema;
  t.table = mapping.table;
  t.trigger_name = capture_trigger_name(schema, mapping.object);
  t.key_column = mapping.key;
  t.entity_id_column = mapping.entity_id_column.value_or("");
  t.captured_columns = pg::captured_columns(mapping);
  return t;
}

}  // namespace ks::pg
