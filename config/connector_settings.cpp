#include "config/connector_settings.hpp"

namespace ks::config {

kizen::client_settings kizen_client_settings(const kizen_settings& k) {
  return {.base_url = k.base_url,
          .api_key = k.api_key,
          .business_id = k.business_id,
          .user_id = k.user_id,
          .request_timeout = k.request_timeout,
          .max_connections = k.max_connections,
          .max_requests_per_second = k.max_requests_per_second,
          .outbound_share = k.outbound_share,
          .tls_verify = k.tls_verify,
          .ca_file = k.ca_file};
}

kizen::retry_settings kizen_retry_settings(const retry_settings& retry) {
  return {retry.max_attempts, retry.initial_backoff, retry.max_backoff};
}

pg::pool_settings pool_settings(const postgres_settings& postgres, std::string application_name, int connections) {
  pg::pool_settings s;
  s.connection.url = postgres.url;
  s.connection.application_name = std::move(application_name);
  // A peer that vanished (host down, network cut) is noticed within about 40 s, not never.
  s.connection.keepalive_idle = std::chrono::seconds(10);
  s.connections = connections;
  s.statement_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(postgres.statement_timeout);
  return s;
}

std::string place_prefix(const source_location& where) {
  if (where.line <= 0) return {};
  std::string out = where.file.empty() ? "config" : where.file;
  out += ":" + std::to_string(where.line);
  if (where.column > 0) out += ":" + std::to_string(where.column);
  return out + ": ";
}

pg::table_mapping table_mapping_of(const object_mapping& object) {
  pg::table_mapping t;
  t.object = object.object;
  t.table_schema = object.table_schema;
  t.table = object.table;
  t.key = object.key;
  t.entity_id_column = object.entity_id_column;
  t.lookup = object.lookup;
  t.sends = object.direction != sync_direction::from_kizen;
  t.pulls = object.direction != sync_direction::to_kizen;
  t.has_key_field = object.key_field.has_value();
  t.place = place_prefix(object.where);
  for (std::size_t i = 0; i < object.fields.size(); ++i) {
    const auto& f = object.fields[i];
    t.fields.push_back({f.column, t.sends && f.direction != sync_direction::from_kizen,
                        "fields[" + std::to_string(i) + "], Kizen field " + f.field, place_prefix(f.where)});
  }
  return t;
}

std::vector<pg::table_mapping> table_mappings(const config& cfg) {
  std::vector<pg::table_mapping> out;
  out.reserve(cfg.objects.size());
  for (const auto& o : cfg.objects) out.push_back(table_mapping_of(o));
  return out;
}

}  // namespace ks::config
