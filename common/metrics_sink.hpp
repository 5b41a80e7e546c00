#pragma once
// Where the engine reports its figures (counters and gauges with labels). The daemon's Prometheus
// registry implements it; the engine depends only on this interface, never on the service layer.

#include <string>
#include <utility>
#include <vector>

namespace ks {

using metric_labels = std::vector<std::pair<std::string, std::string>>;

class metrics_sink {
 public:
  enum class kind { counter, gauge };

  virtual ~metrics_sink() = default;
  // Declares a family (name, kind, help text).
  virtual void describe(const std::string& name, kind k, const std::string& help) = 0;
  virtual void add(const std::string& name, const metric_labels& labels, double delta) = 0;
  virtual void set(const std::string& name, const metric_labels& labels, double value) = 0;
  // Drops every series of a gauge family (before re-setting a snapshot, e.g. per-object backlog).
  virtual void clear(const std::string& name) = 0;
};

// Discards everything: for tools and tests that do not watch the figures.
class null_metrics final : public metrics_sink {
 public:
  void describe(const std::string&, kind, const std::string&) override {}
  void add(const std::string&, const metric_labels&, double) override {}
  void set(const std::string&, const metric_labels&, double) override {}
  void clear(const std::string&) override {}
};

}  // namespace ks
