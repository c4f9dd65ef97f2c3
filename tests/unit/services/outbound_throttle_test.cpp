#include "inbox/services/outbound_throttle.hpp"

#include <gtest/gtest.h>

namespace inbox::services {
namespace {

using namespace std::chrono_literals;

class OutboundThrottleTest : public ::testing::Test {
protected:
    OutboundThrottle make(double rate) {
        return OutboundThrottle({.messages_per_second = rate, .first_pause = 1s, .longest_pause = 8s},
                                [this] { return now; });
    }
    std::chrono::steady_clock::time_point now{std::chrono::hours(1)};
};

TEST_F(OutboundThrottleTest, ABurstUpToTheRateGoesThenTheBucketSaysHowLongToWait) {
    auto throttle = make(4);
    for (int i = 0; i < 4; ++i) EXPECT_EQ(throttle.admit("N1", "C"), 0ms) << i;
    EXPECT_EQ(throttle.admit("N1", "C"), 250ms);
    now += 250ms;
    EXPECT_EQ(throttle.admit("N1", "C"), 0ms);
    EXPECT_GT(throttle.admit("N1", "C"), 0ms);
}

TEST_F(OutboundThrottleTest, NumbersHaveTheirOwnBuckets) {
    auto throttle = make(1);
    EXPECT_EQ(throttle.admit("N1", "C"), 0ms);
    EXPECT_GT(throttle.admit("N1", "C"), 0ms);
    EXPECT_EQ(throttle.admit("N2", "C"), 0ms);
}

TEST_F(OutboundThrottleTest, TheBucketRefillsOnlyToItsBurst) {
    auto throttle = make(2);
    now += 1h;
    for (int i = 0; i < 2; ++i) EXPECT_EQ(throttle.admit("N1", "C"), 0ms);
    EXPECT_GT(throttle.admit("N1", "C"), 0ms);
}

TEST_F(OutboundThrottleTest, MetasThrottlingPausesTheNumberWithGrowingPauses) {
    auto throttle = make(80);
    EXPECT_EQ(throttle.throttled("N1", "C", 130429), 1000ms);
    EXPECT_EQ(throttle.admit("N1", "other customer"), 1000ms);
    EXPECT_EQ(throttle.admit("N2", "C"), 0ms);
    now += 1s;
    EXPECT_EQ(throttle.admit("N1", "C"), 0ms);
    EXPECT_EQ(throttle.throttled("N1", "C", 130429), 2000ms);
    now += 2s;
    EXPECT_EQ(throttle.throttled("N1", "C", 80007), 4000ms);
    now += 4s;
    EXPECT_EQ(throttle.throttled("N1", "C", 130429), 8000ms);
    now += 8s;
    EXPECT_EQ(throttle.throttled("N1", "C", 130429), 8000ms);  // longest_pause
}

TEST_F(OutboundThrottleTest, AnswersDuringAPauseDoNotStretchIt) {
    auto throttle = make(80);
    EXPECT_EQ(throttle.throttled("N1", "C", 130429), 1000ms);
    now += 400ms;
    EXPECT_EQ(throttle.throttled("N1", "C", 130429), 600ms);
}

TEST_F(OutboundThrottleTest, AnAcceptedSendStartsThePausesOver) {
    auto throttle = make(80);
    throttle.throttled("N1", "C", 130429);
    now += 1s;
    throttle.accepted("N1", "C");
    EXPECT_EQ(throttle.throttled("N1", "C", 130429), 1000ms);
}

TEST_F(OutboundThrottleTest, ThePairRateLimitHoldsBackOnlyThatCustomer) {
    auto throttle = make(80);
    EXPECT_EQ(throttle.throttled("N1", "C1", 131056), 1000ms);
    EXPECT_EQ(throttle.admit("N1", "C1"), 1000ms);
    EXPECT_EQ(throttle.admit("N1", "C2"), 0ms);
    now += 1s;
    EXPECT_EQ(throttle.admit("N1", "C1"), 0ms);
}

TEST(RetryAfterSeconds, RoundsUpToWholeSecondsAndIsAtLeastOne) {
    EXPECT_EQ(retry_after_seconds(1ms), 1);
    EXPECT_EQ(retry_after_seconds(0ms), 1);
    EXPECT_EQ(retry_after_seconds(1000ms), 1);
    EXPECT_EQ(retry_after_seconds(1001ms), 2);
    EXPECT_EQ(retry_after_seconds(8000ms), 8);
}

}  // namespace
}  // namespace inbox::services
