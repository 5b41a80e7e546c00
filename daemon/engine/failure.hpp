#pragma once
// The engine's one failure type: what stopped a step of the sync, from which side, and whether
// waiting can cure it. Database failures arrive classified by db_pool (pg::db_error), Kizen's as
// kizen::error; anything else is an internal error. Logs, /healthz and status show failures as
// describe() renders them.

#include <exception>
#include <string>

namespace ks::kizen {
struct error;
}

namespace ks::engine {

struct failure {
  enum class source { postgres, kizen, internal };
  source from = source::internal;
  std::string kind;        // "connection lost", "timeout", "SQL error", "HTTP 503", ...
  std::string message;     // the readable reason (never secrets)
  bool transient = false;  // waiting (a reconnect, a retry) can cure it

  // "PostgreSQL connection lost: ...", "Kizen HTTP 503: ...", "internal error: ..."
  std::string describe() const;
};

// The failure an exception stands for (a pg::db_error is a PostgreSQL failure).
failure failure_of(const std::exception_ptr& e);
failure failure_of(const kizen::error& e);

}  // namespace ks::engine
