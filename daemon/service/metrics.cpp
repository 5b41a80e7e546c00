#include "daemon/service/metrics.hpp"

#include <cmath>
#include <cstdio>

namespace ks::service {

namespace {

std::string escape_label(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string format_value(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

}  // namespace

std::string metrics::render_labels(const metric_labels& labels) {
  if (labels.empty()) return {};
  std::string out = "{";
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (i) out += ',';
    out += labels[i].first + "=\"" + escape_label(labels[i].second) + "\"";
  }
  return out + "}";
}

metrics::family& metrics::family_for(const std::string& name) { return families_[name]; }

void metrics::describe(const std::string& name, kind k, const std::string& help) {
  std::lock_guard lock(mutex_);
  auto& f = family_for(name);
  f.type = k;
  f.help = help;
}

void metrics::add(const std::string& name, const metric_labels& labels, double delta) {
  std::lock_guard lock(mutex_);
  family_for(name).series[render_labels(labels)] += delta;
}

void metrics::set(const std::string& name, const metric_labels& labels, double value) {
  std::lock_guard lock(mutex_);
  family_for(name).series[render_labels(labels)] = value;
}

double metrics::value(const std::string& name, const metric_labels& labels) const {
  std::lock_guard lock(mutex_);
  const auto f = families_.find(name);
  if (f == families_.end()) return 0;
  const auto s = f->second.series.find(render_labels(labels));
  return s == f->second.series.end() ? 0 : s->second;
}

void metrics::clear(const std::string& name) {
  std::lock_guard lock(mutex_);
  if (auto f = families_.find(name); f != families_.end()) f->second.series.clear();
}

std::string metrics::render() const {
  std::lock_guard lock(mutex_);
  std::string out;
  for (const auto& [name, f] : families_) {
    if (!f.help.empty()) out += "# HELP " + name + " " + f.help + "\n";
    out += "# TYPE " + name + (f.type == kind::counter ? " counter\n" : " gauge\n");
    for (const auto& [labels, v] : f.series) out += name + labels + " " + format_value(v) + "\n";
  }
  return out;
}

}  // namespace ks::service
