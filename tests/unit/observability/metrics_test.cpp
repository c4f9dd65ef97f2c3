#include "inbox/observability/metrics.hpp"

#include <gtest/gtest.h>

namespace inbox::observability {
namespace {

bool contains(const std::string& text, const std::string& needle) { return text.find(needle) != std::string::npos; }

TEST(Metrics, CountersRenderWithHelpTypeAndLabels) {
    MetricsRegistry registry;
    registry.counter("requests_total", "Requests", {{"route", "/a/{id}"}, {"status", "200"}}).inc(3);
    auto text = registry.render_prometheus();
    EXPECT_TRUE(contains(text, "# HELP requests_total Requests\n# TYPE requests_total counter\n"));
    EXPECT_TRUE(contains(text, "requests_total{route=\"/a/{id}\",status=\"200\"} 3\n"));
}

TEST(Metrics, TheSameNameAndLabelsGiveTheSameInstrument) {
    MetricsRegistry registry;
    auto& a = registry.counter("c", "help", {{"k", "v"}});
    auto& b = registry.counter("c", "help", {{"k", "v"}});
    EXPECT_EQ(&a, &b);
    EXPECT_NE(&a, &registry.counter("c", "help", {{"k", "w"}}));
}

TEST(Metrics, HistogramBucketsAreCumulativeWithInfSumAndCount) {
    MetricsRegistry registry;
    auto& histogram = registry.histogram("latency_seconds", "Latency", {}, {0.1, 1});
    histogram.observe(0.05);
    histogram.observe(0.5);
    histogram.observe(5);
    auto text = registry.render_prometheus();
    EXPECT_TRUE(contains(text, "latency_seconds_bucket{le=\"0.1\"} 1\n"));
    EXPECT_TRUE(contains(text, "latency_seconds_bucket{le=\"1\"} 2\n"));
    EXPECT_TRUE(contains(text, "latency_seconds_bucket{le=\"+Inf\"} 3\n"));
    EXPECT_TRUE(contains(text, "latency_seconds_sum 5.55\n"));
    EXPECT_TRUE(contains(text, "latency_seconds_count 3\n"));
}

TEST(Metrics, LabelValuesAreEscaped) {
    MetricsRegistry registry;
    registry.counter("c", "help", {{"path", "a\"b\\c\nd"}}).inc();
    EXPECT_TRUE(contains(registry.render_prometheus(), R"(c{path="a\"b\\c\nd"} 1)"));
}

TEST(Metrics, GaugeCallbacksAreReadAtExposition) {
    MetricsRegistry registry;
    double value = 1;
    registry.gauge_callback("pool_in_use", "In use", {}, [&] { return value; });
    EXPECT_TRUE(contains(registry.render_prometheus(), "pool_in_use 1\n"));
    value = 7;
    EXPECT_TRUE(contains(registry.render_prometheus(), "pool_in_use 7\n"));
}

TEST(Metrics, ANameCannotBeReusedWithAnotherKind) {
    MetricsRegistry registry;
    registry.counter("x", "help");
    EXPECT_THROW(registry.gauge("x", "help"), std::logic_error);
}

}  // namespace
}  // namespace inbox::observability
