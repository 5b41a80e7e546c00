#include "daemon/engine/failure.hpp"

#include "connectors/kizen/error.hpp"
#include "connectors/postgres/db_error.hpp"

namespace ks::engine {

std::string failure::describe() const {
  switch (from) {
    case source::postgres: return "PostgreSQL " + kind + ": " + message;
    case source::kizen: return "Kizen " + kind + ": " + message;
    case source::internal: break;
  }
  return "internal error: " + message;
}

failure failure_of(const std::exception_ptr& e) {
  failure f;
  try {
    std::rethrow_exception(e);
  } catch (const pg::db_error& db) {
    f.from = failure::source::postgres;
    f.kind = pg::to_string(db.kind());
    f.message = db.what();
    f.transient = db.transient();
  } catch (const std::exception& other) {
    f.kind = "internal error";
    f.message = other.what();
  } catch (...) {
    f.kind = "internal error";
    f.message = "unknown exception";
  }
  return f;
}

failure failure_of(const kizen::error& e) {
  failure f;
  f.from = failure::source::kizen;
  f.kind = e.kind == kizen::error_kind::http ? "HTTP " + std::to_string(e.http_status) : kizen::to_string(e.kind);
  f.message = e.message;
  f.transient = e.retryable;
  return f;
}

}  // namespace ks::engine
