#pragma once
// A small Prometheus metrics registry: counters and gauges with labels, rendered in the text
// exposition format for /metrics. Thread-safe; updates are rare enough for one mutex.

#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace ks::service {

using metric_labels = std::vector<std::pair<std::string, std::string>>;

class metrics {
 public:
  enum class type { counter, gauge };

  // Declares a family (name, type, help). Updating an undeclared family declares it as a gauge.
  void describe(const std::string& name, type t, const std::string& help);
  void add(const std::string& name, const metric_labels& labels, double delta);
  void set(const std::string& name, const metric_labels& labels, double value);
  double value(const std::string& name, const metric_labels& labels) const;  // 0 if unset
  // Drops every series of a gauge family (before re-setting a snapshot, e.g. per-object backlog).
  void clear(const std::string& name);

  std::string render() const;

 private:
  struct family {
    type kind = type::gauge;
    std::string help;
    std::map<std::string, double> series;  // rendered label set → value
  };
  static std::string render_labels(const metric_labels& labels);
  family& family_for(const std::string& name);

  mutable std::mutex mutex_;
  std::map<std::string, family> families_;
};

}  // namespace ks::service
