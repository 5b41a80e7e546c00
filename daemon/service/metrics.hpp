#pragma once
// A small Prometheus metrics registry: counters and gauges with labels, rendered in the text
// exposition format for /metrics. Thread-safe; updates are rare enough for one mutex.

#include "common/metrics_sink.hpp"

#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace ks::service {

using ks::metric_labels;

class metrics final : public metrics_sink {
 public:
  // Declares a family (name, kind, help). Updating an undeclared family declares it as a gauge.
  void describe(const std::string& name, kind k, const std::string& help) override;
  void add(const std::string& name, const metric_labels& labels, double delta) override;
  void set(const std::string& name, const metric_labels& labels, double value) override;
  // Drops every series of a gauge family (before re-setting a snapshot, e.g. per-object backlog).
  void clear(const std::string& name) override;
  double value(const std::string& name, const metric_labels& labels) const;  // 0 if unset

  std::string render() const;

 private:
  struct family {
    kind type = kind::gauge;
    std::string help;
    std::map<std::string, double> series;  // rendered label set → value
  };
  static std::string render_labels(const metric_labels& labels);
  family& family_for(const std::string& name);

  mutable std::mutex mutex_;
  std::map<std::string, family> families_;
};

}  // namespace ks::service
