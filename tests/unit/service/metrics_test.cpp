#include "daemon/service/metrics.hpp"

#include <gtest/gtest.h>

using ks::service::metrics;

TEST(metrics, renders_prometheus_text_with_help_type_and_labels) {
  metrics m;
  m.describe("kizen_sync_changes_applied_total", metrics::kind::counter, "Changes applied to Kizen.");
  m.add("kizen_sync_changes_applied_total", {{"object", "client_client"}}, 2);
  m.add("kizen_sync_changes_applied_total", {{"object", "client_client"}}, 3);
  m.set("kizen_sync_backlog", {{"object", "deals"}}, 7);
  EXPECT_EQ(m.render(),
            "# TYPE kizen_sync_backlog gauge\n"
            "kizen_sync_backlog{object=\"deals\"} 7\n"
            "# HELP kizen_sync_changes_applied_total Changes applied to Kizen.\n"
            "# TYPE kizen_sync_changes_applied_total counter\n"
            "kizen_sync_changes_applied_total{object=\"client_client\"} 5\n");
  EXPECT_EQ(m.value("kizen_sync_changes_applied_total", {{"object", "client_client"}}), 5);
}

TEST(metrics, escapes_label_values_and_clears_gauges) {
  metrics m;
  m.set("g", {{"object", "a\"b\\c\nd"}}, 0.5);
  EXPECT_EQ(m.render(), "# TYPE g gauge\ng{object=\"a\\\"b\\\\c\\nd\"} 0.5\n");
  m.clear("g");
  EXPECT_EQ(m.render(), "# TYPE g gauge\n");
}
