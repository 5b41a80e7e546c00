#pragma once
// What the Kizen client needs to know, owned by the connector (the config maps onto it).

#include <chrono>
#include <string>

namespace ks::kizen {

struct client_settings {
  // https://app.go.kizen.com; plain http:// only for loopback hosts.
  std::string base_url;
  // The three credentials sent with every request. The API key is a secret: never logged.
  std::string api_key;
  std::string business_id;
  std::string user_id;
  // The deadline of one request, from when it leaves the queue.
  std::chrono::milliseconds request_timeout{15'000};
  // Requests in flight at once (connections of the pool).
  int max_connections = 8;
  // The client-side token bucket: requests per second, sustained.
  double max_requests_per_second = 20;
  // The share of the connections and of the rate that background requests (pulls) leave to the
  // outbound, whatever their number (request_lanes.hpp); 0 reserves nothing.
  double outbound_share = 0.5;
  // Certificate and host name verification; false only by explicit config (a warning is logged).
  bool tls_verify = true;
  // An extra CA bundle (PEM); empty = the system store.
  std::string ca_file;
};

// How often and how patiently a failed request of one change is tried again (retry_policy).
struct retry_settings {
  // Every attempt counts, the first included (1 = never retry).
  int max_attempts = 10;
  std::chrono::milliseconds initial_backoff{250};
  std::chrono::milliseconds max_backoff{300'000};
};

}  // namespace ks::kizen
