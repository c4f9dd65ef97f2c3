#include "inbox/services/open_window_memo.hpp"

#include <gtest/gtest.h>

namespace inbox::services {
namespace {

using namespace std::chrono_literals;

const domain::TimePoint kWindowNow{std::chrono::seconds{1'800'000'000}};

TEST(OpenWindowMemo, AnOpenWindowIsRememberedUntilItCloses) {
    OpenWindowMemo memo(16, 5min);
    memo.remember("c1", kWindowNow + 10s, kWindowNow);
    EXPECT_EQ(memo.open_until("c1", kWindowNow), kWindowNow + 10s);
    EXPECT_EQ(memo.open_until("c1", kWindowNow + 9s), kWindowNow + 10s);
    EXPECT_FALSE(memo.open_until("c1", kWindowNow + 10s)) << "closed at its instant";
    EXPECT_FALSE(memo.open_until("c2", kWindowNow));
}

TEST(OpenWindowMemo, AClosedWindowIsNeverRemembered) {
    OpenWindowMemo memo(16, 5min);
    memo.remember("c1", kWindowNow - 1s, kWindowNow);
    memo.remember("c2", kWindowNow, kWindowNow);
    EXPECT_FALSE(memo.open_until("c1", kWindowNow - 2s));
    EXPECT_FALSE(memo.open_until("c2", kWindowNow - 2s));
}

TEST(OpenWindowMemo, ALaterInstantReplacesAnEarlierOne) {
    OpenWindowMemo memo(16, 5min);
    memo.remember("c1", kWindowNow + 10s, kWindowNow);
    memo.remember("c1", kWindowNow + 24h, kWindowNow);
    EXPECT_EQ(memo.open_until("c1", kWindowNow + 1h), kWindowNow + 24h);
}

TEST(OpenWindowMemo, EntriesExpireAfterTheirTimeToLive) {
    OpenWindowMemo memo(16, 0s);  // steady-clock TTL of zero: nothing outlives its own store
    memo.remember("c1", kWindowNow + 1h, kWindowNow);
    EXPECT_FALSE(memo.open_until("c1", kWindowNow));
}

TEST(OpenWindowMemo, TheLeastRecentlyUsedIsDroppedPastTheBound) {
    OpenWindowMemo memo(2, 5min);
    memo.remember("c1", kWindowNow + 1h, kWindowNow);
    memo.remember("c2", kWindowNow + 1h, kWindowNow);
    ASSERT_TRUE(memo.open_until("c1", kWindowNow));
    memo.remember("c3", kWindowNow + 1h, kWindowNow);
    EXPECT_TRUE(memo.open_until("c1", kWindowNow));
    EXPECT_FALSE(memo.open_until("c2", kWindowNow));
    EXPECT_TRUE(memo.open_until("c3", kWindowNow));
}

}  // namespace
}  // namespace inbox::services
