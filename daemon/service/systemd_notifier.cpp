#include "daemon/service/systemd_notifier.hpp"

#include <systemd/sd-daemon.h>

namespace ks::service {

void systemd_notifier::ready() const { sd_notify(0, "READY=1"); }
void systemd_notifier::stopping() const { sd_notify(0, "STOPPING=1"); }
void systemd_notifier::reloading() const { sd_notify(0, "RELOADING=1"); }
void systemd_notifier::watchdog() const { sd_notify(0, "WATCHDOG=1"); }
void systemd_notifier::status(const std::string& text) const { sd_notify(0, ("STATUS=" + text).c_str()); }

std::optional<std::chrono::microseconds> systemd_notifier::watchdog_period() const {
  uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return std::nullopt;
  return std::chrono::microseconds(usec / 2);
}

}  // namespace ks::service
