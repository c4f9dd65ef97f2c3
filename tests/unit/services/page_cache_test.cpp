// The page cache's own rules: versions only move forward, time-limited pages expire, the byte budget holds.
#include "inbox/services/page_cache.hpp"

#include <gtest/gtest.h>

namespace inbox::services {
namespace {

using namespace std::chrono_literals;

const domain::TimePoint kNow = domain::TimePoint{} + 1000h;

CachedPage page_of(storage::PageVersion version, std::string body, domain::TimePoint until = domain::TimePoint::max()) {
    return {version, until, std::make_shared<const std::string>(std::move(body))};
}

TEST(PageCache, AnswersWhatWasStoredUnderItsKey) {
    PageCache cache;
    EXPECT_FALSE(cache.find("a", kNow));
    cache.store("a", page_of(3, "page a"));
    auto held = cache.find("a", kNow);
    ASSERT_TRUE(held);
    EXPECT_EQ(held->version, 3);
    EXPECT_EQ(*held->body, "page a");
    EXPECT_FALSE(cache.find("b", kNow));
}

TEST(PageCache, AnOlderVersionNeverReplacesANewerOne) {
    PageCache cache;
    cache.store("a", page_of(5, "new"));
    cache.store("a", page_of(4, "old"));  // a slower reader finishing late
    EXPECT_EQ(*cache.find("a", kNow)->body, "new");
    cache.store("a", page_of(6, "newer"));
    EXPECT_EQ(cache.find("a", kNow)->version, 6);
    EXPECT_EQ(cache.size(), 1u);
}

TEST(PageCache, APageIsNotAnsweredFromItsValidUntilOn) {
    PageCache cache;
    cache.store("a", page_of(1, "window open", kNow + 2s));
    EXPECT_TRUE(cache.find("a", kNow + 1s));
    EXPECT_FALSE(cache.find("a", kNow + 2s));
    EXPECT_EQ(cache.size(), 0u);
}

TEST(PageCache, TheByteBudgetDropsTheLeastRecentlyUsedFirst) {
    PageCache cache(3 * (1000 + 200));
    for (const auto* key : {"a", "b", "c"}) cache.store(key, page_of(1, std::string(1000, 'x')));
    ASSERT_EQ(cache.size(), 3u);
    EXPECT_TRUE(cache.find("a", kNow));  // a is now the most recently used
    cache.store("d", page_of(1, std::string(1000, 'y')));
    EXPECT_TRUE(cache.find("a", kNow));
    EXPECT_FALSE(cache.find("b", kNow));
    EXPECT_TRUE(cache.find("c", kNow));
    EXPECT_TRUE(cache.find("d", kNow));
    EXPECT_LE(cache.bytes(), 3u * 1200u);
    cache.store("huge", page_of(1, std::string(10'000, 'z')));  // larger than the whole budget: not kept
    EXPECT_FALSE(cache.find("huge", kNow));
    EXPECT_EQ(cache.size(), 3u);
}

}  // namespace
}  // namespace inbox::services
