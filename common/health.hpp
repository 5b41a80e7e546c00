#pragma once
// Whether a part of the daemon is well, and why not: what /healthz answers (200, or 503 with the
// detail) and what systemd's watchdog follows.

#include <string>

namespace ks {

struct health {
  bool ok = true;
  std::string detail;  // why not ok (no secrets)
};

}  // namespace ks
