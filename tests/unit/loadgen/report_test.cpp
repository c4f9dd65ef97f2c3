#include "loadgen/report.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace inbox::loadgen {
namespace {

using ::testing::HasSubstr;

RunReport sample_report() {
    RunReport report;
    report.scenario = "inbox";
    report.target_rate = 100;
    report.duration_s = 10;
    report.connections = 4;
    report.threads = 1;
    EndpointStats ok;
    ok.scheduled = 750;
    ok.completed_in_window = 740;
    for (int i = 1; i <= 750; ++i) ok.latency.record(static_cast<std::uint64_t>(i) * 1'000'000);  // 1..750 ms
    ok.status[200] = 750;
    EndpointStats webhook;
    webhook.scheduled = 250;
    webhook.errors[static_cast<std::size_t>(ErrorKind::dropped)] = 250;
    report.endpoints = {{"conversations", 75, ok}, {"webhook", 25, webhook}};
    return report;
}

TEST(Report, JsonFollowsTheStableSchema) {
    const auto json = to_json(sample_report());
    EXPECT_EQ(json["scenario"], "inbox");
    EXPECT_EQ(json["target_rate"], 100.0);
    EXPECT_EQ(json["duration_s"], 10.0);
    EXPECT_EQ(json["connections"], 4);
    const auto& conversations = json["endpoints"]["conversations"];
    EXPECT_EQ(conversations["target_rate"], 75.0);
    EXPECT_EQ(conversations["achieved_rate"], 74.0);
    EXPECT_EQ(conversations["count"], 750);
    EXPECT_NEAR(conversations["latency_ms"]["p50"].get<double>(), 375.0, 375.0 * 0.01);
    EXPECT_NEAR(conversations["latency_ms"]["p99"].get<double>(), 743.0, 743.0 * 0.01);
    EXPECT_EQ(conversations["latency_ms"]["max"], 750.0);
    EXPECT_TRUE(conversations["latency_ms"].contains("p95"));
    EXPECT_TRUE(conversations["latency_ms"].contains("p999"));
    EXPECT_EQ(conversations["status"]["200"], 750);
    for (const char* kind : {"connect", "timeout", "reset", "dropped"}) {
        EXPECT_EQ(conversations["errors"][kind], 0) << kind;
    }
    const auto& webhook = json["endpoints"]["webhook"];
    EXPECT_EQ(webhook["errors"]["dropped"], 250);
    EXPECT_TRUE(webhook["latency_ms"]["p50"].is_null());  // no response, no latency
    EXPECT_EQ(json["overall"]["count"], 750);
    EXPECT_TRUE(json["generator"].contains("max_queue_depth"));
    EXPECT_TRUE(json["generator"].contains("scheduler_lag_p99_ms"));
    EXPECT_EQ(json["overall"]["errors"]["dropped"], 250);
}

TEST(Report, TableHasARowPerEndpointAndOverall) {
    const std::string table = format_table(sample_report());
    EXPECT_THAT(table, HasSubstr("conversations"));
    EXPECT_THAT(table, HasSubstr("dropped:250"));
    EXPECT_THAT(table, HasSubstr("200:750"));
    EXPECT_THAT(table, HasSubstr("overall"));
}

TEST(Report, FailuresAreErrorsAndStatusesOutside2xx3xx) {
    RunReport report = sample_report();
    EXPECT_TRUE(has_failures(report));
    report.endpoints.pop_back();
    EXPECT_FALSE(has_failures(report));
    report.endpoints[0].stats.status[302] = 1;
    EXPECT_FALSE(has_failures(report));
    report.endpoints[0].stats.status[500] = 1;
    EXPECT_TRUE(has_failures(report));
}

}  // namespace
}  // namespace inbox::loadgen
