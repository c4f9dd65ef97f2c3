#include "inbox/cache/lru_ttl_map.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace inbox::cache {
namespace {

using namespace std::chrono_literals;
const auto kStart = std::chrono::steady_clock::time_point(1000s);

TEST(LruTtlMap, OverwritingAKeyKeepsOneEntryWithTheNewValueAndExpiry) {
    LruTtlMap map(4);
    map.set("k", "old", kStart + 10s);
    map.set("k", "new", kStart + 60s);

    EXPECT_EQ(map.size(), 1u);
    EXPECT_EQ(map.get("k", kStart + 30s), "new");
}

TEST(LruTtlMap, ExpiredEntryIsRemovedWhenLookedUp) {
    LruTtlMap map(4);
    map.set("k", "v", kStart + 10s);

    EXPECT_EQ(map.get("k", kStart + 10s), std::nullopt);
    EXPECT_EQ(map.size(), 0u);
}

TEST(LruTtlMap, RefusesZeroCapacity) { EXPECT_THROW(LruTtlMap(0), std::invalid_argument); }

TEST(LruTtlMap, SingleEntryMapKeepsTheNewest) {
    LruTtlMap map(1);
    map.set("a", "1", kStart + 10s);
    map.set("b", "2", kStart + 10s);

    EXPECT_EQ(map.get("a", kStart), std::nullopt);
    EXPECT_EQ(map.get("b", kStart), "2");
}

}  // namespace
}  // namespace inbox::cache
