#include "loadgen/schedule.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace inbox::loadgen {
namespace {

using namespace std::chrono_literals;

TEST(Schedule, IthRequestIsDueAtIOverRate) {
    const Schedule schedule(2000);
    EXPECT_EQ(schedule.offset(0), 0ns);
    EXPECT_EQ(schedule.offset(1), 500us);
    EXPECT_EQ(schedule.offset(2000), 1s);
    EXPECT_EQ(schedule.offset(59'999), 29'999'500us);
}

TEST(Schedule, NonIntegralIntervalsDoNotDrift) {
    const Schedule schedule(3);  // 333.33 ms apart
    EXPECT_EQ(schedule.offset(1), 333'333'333ns);
    EXPECT_EQ(schedule.offset(3), 1s);
    EXPECT_EQ(schedule.offset(3'000'000), 1'000'000s);
}

TEST(Schedule, CountBeforeIsTheNumberOfRequestsInAWindow) {
    const Schedule schedule(200);
    EXPECT_EQ(schedule.count_before(0s), 0u);
    EXPECT_EQ(schedule.count_before(1ns), 1u);  // request 0 at t=0
    EXPECT_EQ(schedule.count_before(1s), 200u);
    EXPECT_EQ(schedule.count_before(35s), 7000u);
    EXPECT_EQ(Schedule(3).count_before(1s), 3u);
    EXPECT_EQ(Schedule(0.5).count_before(10s), 5u);
}

TEST(Schedule, RejectsNonPositiveRates) {
    EXPECT_THROW(Schedule(0), std::invalid_argument);
    EXPECT_THROW(Schedule(-1), std::invalid_argument);
}

TEST(RequestTiming, LatencyRunsFromTheScheduledTimeWhenTheConnectionWasBusy) {
    const TimePoint start{};
    // Due at 0, but every connection was busy until 50 ms; the server then answered in 5 ms.
    const RequestTiming timing{start, start + 50ms, start + 55ms};
    EXPECT_EQ(timing.latency(), 55ms);  // not the 5 ms a closed-loop tool would report
    EXPECT_EQ(timing.queue_delay(), 50ms);
    EXPECT_EQ(timing.service_time(), 5ms);
}

}  // namespace
}  // namespace inbox::loadgen
