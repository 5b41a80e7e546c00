#include "config/connector_settings.hpp"

namespace ks::config {

kizen::client_settings kizen_client_settings(const kizen_settings& kizen) {
  kizen::client_settings s;
  s.base_url = kizen.base_url;
  s.api_key = kizen.api_key;
  s.business_id = kizen.business_id;
  s.user_id = kizen.user_id;
  s.request_timeout = kizen.request_timeout;
  s.max_connections = kizen.max_connections;
  s.max_requests_per_second = kizen.max_requests_per_second;
  s.tls_verify = kizen.tls_verify;
  s.ca_file = kizen.ca_file;
  return s;
}

kizen::retry_settings kizen_retry_settings(const retry_settings& retry) {
  return {retry.max_attempts, retry.initial_backoff, retry.max_backoff};
}

}  // namespace ks::config
