#include "inbox/http/connection_limiter.hpp"

#include <gtest/gtest.h>

namespace inbox::http {
namespace {

using Verdict = ConnectionLimiter::Verdict;

TEST(ConnectionLimiter, EachAddressHasItsOwnCap) {
    ConnectionLimiter limiter({.max_total = 100, .max_per_address = 2});
    EXPECT_EQ(limiter.admit("10.0.0.1"), Verdict::admitted);
    EXPECT_EQ(limiter.admit("10.0.0.1"), Verdict::admitted);
    EXPECT_EQ(limiter.admit("10.0.0.1"), Verdict::over_per_address);
    EXPECT_EQ(limiter.admit("10.0.0.2"), Verdict::admitted);
    EXPECT_EQ(limiter.total(), 3u);
    limiter.release("10.0.0.1");
    EXPECT_EQ(limiter.admit("10.0.0.1"), Verdict::admitted);
}

TEST(ConnectionLimiter, TheTotalCapCoversEveryAddress) {
    ConnectionLimiter limiter({.max_total = 2, .max_per_address = 0});
    EXPECT_EQ(limiter.admit("a"), Verdict::admitted);
    EXPECT_EQ(limiter.admit("b"), Verdict::admitted);
    EXPECT_EQ(limiter.admit("c"), Verdict::over_total);
    EXPECT_EQ(limiter.from("c"), 0u);
    limiter.release("a");
    EXPECT_EQ(limiter.admit("c"), Verdict::admitted);
}

TEST(ConnectionLimiter, RefusalsAndReleasesLeaveNoCountsBehind) {
    ConnectionLimiter limiter({.max_total = 10, .max_per_address = 1});
    EXPECT_EQ(limiter.admit("a"), Verdict::admitted);
    EXPECT_EQ(limiter.admit("a"), Verdict::over_per_address);
    limiter.release("a");
    limiter.release("a");  // a stray release is ignored
    EXPECT_EQ(limiter.total(), 0u);
    EXPECT_EQ(limiter.from("a"), 0u);
}

TEST(ConnectionLimiter, ZeroMeansNoCap) {
    ConnectionLimiter limiter({.max_total = 0, .max_per_address = 0});
    for (int i = 0; i < 1000; ++i) ASSERT_EQ(limiter.admit("a"), Verdict::admitted);
    EXPECT_EQ(limiter.total(), 1000u);
}

}  // namespace
}  // namespace inbox::http
