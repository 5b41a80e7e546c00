#include "daemon/engine/outbound/outbound_outcome.hpp"

#include "common/uuid_text.hpp"

namespace ks::engine {

outbound_outcome failure_outcome(const kizen::error& e, std::string_view what) {
  outbound_outcome o;
  o.what = e.retryable ? outbound_outcome::kind::retry : outbound_outcome::kind::dead;
  o.message = std::string(what) + ": " + e.message;
  if (e.http_status) o.http_status = e.http_status;
  o.failure_kind = e.kind;
  o.retry_after = e.retry_after;
  o.throttled = e.throttled;
  return o;
}

outbound_outcome applied_outcome(const kizen::record& rec, std::string path) {
  outbound_outcome o;
  o.what = outbound_outcome::kind::applied;
  o.entity_id = normalize_uuid(rec.id);
  o.kizen_updated = rec.updated;
  o.path = std::move(path);
  return o;
}

}  // namespace ks::engine
