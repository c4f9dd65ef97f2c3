#include "inbox/cache/log_throttle.hpp"

#include <gtest/gtest.h>

namespace inbox::cache {
namespace {

using namespace std::chrono_literals;

TEST(LogThrottle, LetsOneLineThroughPerIntervalAndReportsHowManyItHeldBack) {
    LogThrottle throttle(5s);
    auto start = std::chrono::steady_clock::time_point(100s);

    EXPECT_EQ(throttle.admit(start), 0u);
    EXPECT_EQ(throttle.admit(start + 1s), std::nullopt);
    EXPECT_EQ(throttle.admit(start + 4s), std::nullopt);
    EXPECT_EQ(throttle.admit(start + 5s), 2u);
    EXPECT_EQ(throttle.admit(start + 6s), std::nullopt);
}

}  // namespace
}  // namespace inbox::cache
