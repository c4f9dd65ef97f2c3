#include "inbox/domain/free_window.hpp"

#include <gtest/gtest.h>

namespace inbox::domain {
namespace {

using namespace std::chrono_literals;

const TimePoint kLastInbound = TimePoint{std::chrono::seconds{1764000000}};

TEST(FreeWindow, OpenJustBefore24Hours) {
    const FreeWindow window = free_window(kLastInbound, kLastInbound + 24h - 1s);
    EXPECT_TRUE(window.open);
    EXPECT_EQ(window.expires_at, kLastInbound + 24h);
}

TEST(FreeWindow, OpenRightAfterTheInboundMessage) { EXPECT_TRUE(free_window(kLastInbound, kLastInbound).open); }

TEST(FreeWindow, ClosedAtExactly24Hours) {
    const FreeWindow window = free_window(kLastInbound, kLastInbound + 24h);
    EXPECT_FALSE(window.open);
    EXPECT_EQ(window.expires_at, kLastInbound + 24h);
}

TEST(FreeWindow, ClosedLongAfterAndStillReportsWhenItExpired) {
    const FreeWindow window = free_window(kLastInbound, kLastInbound + 72h);
    EXPECT_FALSE(window.open);
    EXPECT_EQ(to_rfc3339(*window.expires_at), "2025-11-25T16:00:00Z");
}

TEST(FreeWindow, NoWindowWithoutInboundMessage) {
    const FreeWindow window = free_window(std::nullopt, kLastInbound);
    EXPECT_FALSE(window.open);
    EXPECT_FALSE(window.expires_at);
}

}  // namespace
}  // namespace inbox::domain
