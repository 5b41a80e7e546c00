#pragma once
// sd_notify(3) for `Type=notify` units: READY=1 once the daemon works, WATCHDOG=1 while it is
// healthy, STOPPING=1 on shutdown, STATUS= for `systemctl status`. Harmless without systemd.

#include <chrono>
#include <optional>
#include <string>

namespace ks::service {

class systemd_notifier {
 public:
  void ready() const;
  void stopping() const;
  void reloading() const;
  void watchdog() const;
  void status(const std::string& text) const;
  // How often to send WATCHDOG=1 (half of WatchdogSec), or nullopt when no watchdog is configured.
  std::optional<std::chrono::microseconds> watchdog_period() const;
};

}  // namespace ks::service
