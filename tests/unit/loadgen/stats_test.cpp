#include "loadgen/stats.hpp"

#include <gtest/gtest.h>

namespace inbox::loadgen {
namespace {

using namespace std::chrono_literals;

const TimePoint kStart{};
const MeasureWindow kWindow{kStart + 5s, kStart + 35s};

TEST(Recorder, WarmUpRequestsAreNotRecorded) {
    Recorder recorder(1, kWindow);
    recorder.on_scheduled(0, kStart + 1s);
    recorder.on_response(0, {kStart + 1s, kStart + 1s, kStart + 1s + 2ms}, 200);
    recorder.on_error(0, kStart + 2s, ErrorKind::timeout);
    const auto stats = recorder.snapshot().at(0);
    EXPECT_EQ(stats.scheduled, 0u);
    EXPECT_EQ(stats.responses(), 0u);
    EXPECT_EQ(stats.error_count(), 0u);
}

TEST(Recorder, RecordsLatencyFromTheScheduledTime) {
    Recorder recorder(2, kWindow);
    const TimePoint due = kStart + 10s;
    recorder.on_scheduled(1, due);
    recorder.on_response(1, {due, due + 50ms, due + 55ms}, 200);  // waited 50 ms for a connection
    const auto stats = recorder.snapshot().at(1);
    EXPECT_EQ(stats.scheduled, 1u);
    EXPECT_EQ(stats.responses(), 1u);
    EXPECT_NEAR(static_cast<double>(stats.latency.percentile(50)), 55e6, 55e6 * 0.01);
    EXPECT_EQ(stats.status.at(200), 1u);
    EXPECT_EQ(recorder.snapshot().at(0).responses(), 0u);
}

TEST(Recorder, AchievedCountOnlyIncludesResponsesInsideTheWindow) {
    Recorder recorder(1, kWindow);
    const TimePoint late = kStart + 34s + 900ms;
    recorder.on_response(0, {late, late, late + 150ms}, 200);  // completes after the window
    recorder.on_response(0, {late, late, late + 10ms}, 503);   // inside
    const auto stats = recorder.snapshot().at(0);
    EXPECT_EQ(stats.responses(), 2u);
    EXPECT_EQ(stats.completed_in_window, 1u);
    EXPECT_EQ(stats.status.at(503), 1u);
}

TEST(Recorder, CountsErrorsByKind) {
    Recorder recorder(1, kWindow);
    recorder.on_error(0, kStart + 6s, ErrorKind::dropped);
    recorder.on_error(0, kStart + 6s, ErrorKind::dropped);
    recorder.on_error(0, kStart + 7s, ErrorKind::connect);
    const auto stats = recorder.snapshot().at(0);
    EXPECT_EQ(stats.errors[static_cast<std::size_t>(ErrorKind::dropped)], 2u);
    EXPECT_EQ(stats.errors[static_cast<std::size_t>(ErrorKind::connect)], 1u);
    EXPECT_EQ(stats.error_count(), 3u);
    EXPECT_EQ(error_kind_name(ErrorKind::dropped), "dropped");
}

}  // namespace
}  // namespace inbox::loadgen
