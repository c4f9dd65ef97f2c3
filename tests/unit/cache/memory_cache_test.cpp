#include "inbox/cache/memory_cache.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <string>

#include "run_awaitable.hpp"

namespace inbox::cache {
namespace {

using namespace std::chrono_literals;
using inbox::testing::run_awaitable;

class MemoryCacheTest : public ::testing::Test {
protected:
    MemoryCache make(std::size_t max_entries) {
        return MemoryCache(max_entries, registry_, [this] { return now_; });
    }

    std::optional<std::string> get(MemoryCache& cache, std::string key) {
        return run_awaitable(io_, cache.get(std::move(key)));
    }
    void set(MemoryCache& cache, std::string key, std::string value, std::chrono::seconds ttl = 60s) {
        run_awaitable(io_, cache.set(std::move(key), std::move(value), ttl));
    }
    bool set_if_absent(MemoryCache& cache, std::string key, std::chrono::seconds ttl = 60s) {
        return run_awaitable(io_, cache.set_if_absent(std::move(key), "1", ttl));
    }
    std::uint64_t requests(const std::string& family, const std::string& result) {
        return registry_
            .counter("inbox_cache_requests_total", "", {{"cache", family}, {"backend", "memory"}, {"result", result}})
            .value();
    }

    boost::asio::io_context io_;
    observability::MetricsRegistry registry_;
    std::chrono::steady_clock::time_point now_{1000s};
};

TEST_F(MemoryCacheTest, ReturnsAStoredValueUntilItsTtlRunsOut) {
    auto cache = make(10);
    set(cache, "v1:conversation:c1", "row", 30s);

    now_ += 29s;
    EXPECT_EQ(get(cache, "v1:conversation:c1"), "row");
    now_ += 1s;
    EXPECT_EQ(get(cache, "v1:conversation:c1"), std::nullopt);
}

TEST_F(MemoryCacheTest, EvictsTheLeastRecentlyUsedEntryWhenFull) {
    auto cache = make(3);
    set(cache, "v1:account:a", "A");
    set(cache, "v1:account:b", "B");
    set(cache, "v1:account:c", "C");

    ASSERT_EQ(get(cache, "v1:account:a"), "A");  // touching "a" leaves "b" the oldest
    set(cache, "v1:account:d", "D");

    EXPECT_EQ(get(cache, "v1:account:b"), std::nullopt);
    EXPECT_EQ(get(cache, "v1:account:a"), "A");
    EXPECT_EQ(get(cache, "v1:account:c"), "C");
    EXPECT_EQ(get(cache, "v1:account:d"), "D");
}

TEST_F(MemoryCacheTest, SetIfAbsentStoresOnceAndAgainAfterExpiry) {
    auto cache = make(10);

    EXPECT_TRUE(set_if_absent(cache, "v1:check_media:c1", 300s));
    now_ += 299s;
    EXPECT_FALSE(set_if_absent(cache, "v1:check_media:c1", 300s));
    now_ += 1s;
    EXPECT_TRUE(set_if_absent(cache, "v1:check_media:c1", 300s));
}

TEST_F(MemoryCacheTest, SetIfAbsentDoesNotReplaceTheStoredValue) {
    auto cache = make(10);
    set(cache, "v1:free_window:c1", "first");

    EXPECT_FALSE(run_awaitable(io_, cache.set_if_absent("v1:free_window:c1", "second", 60s)));
    EXPECT_EQ(get(cache, "v1:free_window:c1"), "first");
}

TEST_F(MemoryCacheTest, EraseRemovesTheKeyAndIgnoresMissingOnes) {
    auto cache = make(10);
    set(cache, "v1:conversation:c1", "row");

    run_awaitable(io_, cache.erase("v1:conversation:c1"));
    run_awaitable(io_, cache.erase("v1:conversation:never-stored"));

    EXPECT_EQ(get(cache, "v1:conversation:c1"), std::nullopt);
}

TEST_F(MemoryCacheTest, EraseManyRemovesEveryKeyAndKeepsTheOthers) {
    auto cache = make(10);
    set(cache, "v1:conversation:c1", "row");
    set(cache, "v1:free_window:c1", "instant");
    set(cache, "v1:conversation:c2", "other");

    std::vector<std::string> keys{"v1:conversation:c1", "v1:free_window:c1", "v1:conversation:never-stored"};
    run_awaitable(io_, cache.erase_many(std::move(keys)));

    EXPECT_EQ(get(cache, "v1:conversation:c1"), std::nullopt);
    EXPECT_EQ(get(cache, "v1:free_window:c1"), std::nullopt);
    EXPECT_EQ(get(cache, "v1:conversation:c2"), "other");
}

TEST_F(MemoryCacheTest, GetManyAnswersEveryKeyInOrder) {
    auto cache = make(10);
    set(cache, "v1:conversation:c1", "row");
    set(cache, "v1:members:user:u1", "a1");

    std::vector<std::string> keys{"v1:members:user:u1", "v1:conversation:missing", "v1:conversation:c1"};
    auto values = run_awaitable(io_, cache.get_many(std::move(keys)));

    using Values = std::vector<std::optional<std::string>>;
    EXPECT_EQ(values, (Values{"a1", std::nullopt, "row"}));
    EXPECT_TRUE(run_awaitable(io_, cache.get_many({})).empty());
}

TEST_F(MemoryCacheTest, SetReplacesValueAndTtl) {
    auto cache = make(10);
    set(cache, "v1:media_meta:m1", "old", 10s);
    set(cache, "v1:media_meta:m1", "new", 100s);

    now_ += 50s;
    EXPECT_EQ(get(cache, "v1:media_meta:m1"), "new");
}

TEST_F(MemoryCacheTest, KeepsBinaryValuesIntact) {
    auto cache = make(10);
    const std::string value("a\0b\xff", 4);
    set(cache, "v1:media_meta:m1", value);

    EXPECT_EQ(get(cache, "v1:media_meta:m1"), value);
}

TEST_F(MemoryCacheTest, CountsHitsAndMissesPerFamily) {
    auto cache = make(10);
    set(cache, "v1:account:phone:106540352242922", "row");

    get(cache, "v1:account:phone:106540352242922");
    get(cache, "v1:account:7");
    get(cache, "v1:conversation:c1");
    set_if_absent(cache, "v1:check_media:c1");  // stored: the key was absent
    set_if_absent(cache, "v1:check_media:c1");  // already there

    EXPECT_EQ(requests("account", "hit"), 1u);
    EXPECT_EQ(requests("account", "miss"), 1u);
    EXPECT_EQ(requests("conversation", "miss"), 1u);
    EXPECT_EQ(requests("check_media", "miss"), 1u);
    EXPECT_EQ(requests("check_media", "hit"), 1u);
    EXPECT_NE(registry_.render_prometheus().find(
                  R"(inbox_cache_requests_total{cache="account",backend="memory",result="hit"} 1)"),
              std::string::npos);
}

TEST_F(MemoryCacheTest, ReportsItselfAsMemoryWithRedisDisabled) {
    auto cache = make(10);
    EXPECT_STREQ(cache.backend_name(), "memory");
    EXPECT_EQ(run_awaitable(io_, cache.health()), "disabled");
}

}  // namespace
}  // namespace inbox::cache
