// RedisCache against a real Redis: TEST_REDIS_URL for the everyday operations, and throwaway redis-server processes
// for the failure cases (down from the start, killed mid-use, frozen).
#include "inbox/cache/redis_cache.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <cstdlib>
#include <random>
#include <thread>

#include "redis_server_process.hpp"
#include "run_awaitable.hpp"

namespace inbox::cache {
namespace {

using namespace std::chrono_literals;
using inbox::testing::RedisServerProcess;
using inbox::testing::run_awaitable;
using inbox::testing::unused_loopback_port;
using Clock = std::chrono::steady_clock;

// Keys unique to this run, so parallel runs against one Redis never see each other's data.
std::string unique_key(std::string_view family, std::string_view name) {
    static const auto run_id = std::to_string(std::random_device{}());
    return "v1:" + std::string(family) + ":itest-" + run_id + "-" + std::string(name);
}

class RedisCacheTestBase : public ::testing::Test {
protected:
    std::unique_ptr<RedisCache> make_cache(const std::string& url) {
        return std::make_unique<RedisCache>(url, blocking_, registry_);
    }

    std::optional<std::string> get(Cache& cache, std::string key) {
        return run_awaitable(io_, cache.get(std::move(key)));
    }
    void set(Cache& cache, std::string key, std::string value, std::chrono::seconds ttl = 60s) {
        run_awaitable(io_, cache.set(std::move(key), std::move(value), ttl));
    }
    bool set_if_absent(Cache& cache, std::string key, std::chrono::seconds ttl = 60s) {
        return run_awaitable(io_, cache.set_if_absent(std::move(key), "1", ttl));
    }
    void erase(Cache& cache, std::string key) { run_awaitable(io_, cache.erase(std::move(key))); }
    std::string health(Cache& cache) { return run_awaitable(io_, cache.health()); }

    std::uint64_t requests(const std::string& family, const std::string& result) {
        return registry_
            .counter("inbox_cache_requests_total", "", {{"cache", family}, {"backend", "redis"}, {"result", result}})
            .value();
    }

    // Repeats set+get until the value comes back, for at most `limit`.
    bool recovers_within(Cache& cache, const std::string& key, Clock::duration limit) {
        auto deadline = Clock::now() + limit;
        while (Clock::now() < deadline) {
            set(cache, key, "back");
            if (get(cache, key) == "back") return true;
            std::this_thread::sleep_for(50ms);
        }
        return false;
    }

    boost::asio::io_context io_;
    boost::asio::thread_pool blocking_{4};
    observability::MetricsRegistry registry_;
};

// Everyday operations need a Redis the test run provides.
class RedisCacheTest : public RedisCacheTestBase {
protected:
    void SetUp() override {
        const char* url = std::getenv("TEST_REDIS_URL");
        ASSERT_NE(url, nullptr) << "TEST_REDIS_URL is not set. Start a Redis, e.g. `redis-server --port 6390 --bind "
                                   "127.0.0.1 --save '' --appendonly no --daemonize yes`, and export "
                                   "TEST_REDIS_URL=redis://127.0.0.1:6390";
        cache_ = make_cache(url);
        ASSERT_EQ(health(*cache_), "ok") << "no Redis answers at TEST_REDIS_URL=" << url;
    }

    std::unique_ptr<RedisCache> cache_;
};

TEST_F(RedisCacheTest, ReadsBackWhatItStoredAndMissesTheRest) {
    auto key = unique_key("conversation", "read-back");
    set(*cache_, key, "row");

    EXPECT_EQ(get(*cache_, key), "row");
    EXPECT_EQ(get(*cache_, unique_key("conversation", "never-stored")), std::nullopt);
    EXPECT_EQ(requests("conversation", "hit"), 1u);
    EXPECT_EQ(requests("conversation", "miss"), 1u);
    EXPECT_EQ(requests("conversation", "error"), 0u);
}

TEST_F(RedisCacheTest, SetIfAbsentStoresOnlyWhileTheKeyIsAbsent) {
    auto key = unique_key("check_media", "debounce");

    EXPECT_TRUE(set_if_absent(*cache_, key));
    EXPECT_FALSE(set_if_absent(*cache_, key));
    erase(*cache_, key);
    EXPECT_TRUE(set_if_absent(*cache_, key));
    erase(*cache_, key);
}

TEST_F(RedisCacheTest, EraseManyRemovesEveryKeyInOneCommandAndKeepsTheOthers) {
    auto first = unique_key("conversation", "many-1");
    auto second = unique_key("free_window", "many-2");
    auto kept = unique_key("conversation", "many-kept");
    set(*cache_, first, "row");
    set(*cache_, second, "instant");
    set(*cache_, kept, "other");

    std::vector<std::string> keys{first, second, unique_key("conversation", "never-stored")};
    run_awaitable(io_, cache_->erase_many(std::move(keys)));
    run_awaitable(io_, cache_->erase_many({}));  // nothing to do, no command sent

    EXPECT_EQ(get(*cache_, first), std::nullopt);
    EXPECT_EQ(get(*cache_, second), std::nullopt);
    EXPECT_EQ(get(*cache_, kept), "other");
}

TEST_F(RedisCacheTest, GetManyReadsEveryKeyInOneCommandInOrder) {
    auto first = unique_key("conversation", "get-many-1");
    auto second = unique_key("members", "get-many-2");
    set(*cache_, first, "row");
    set(*cache_, second, std::string("bin\0ary", 7));

    std::vector<std::string> keys{second, unique_key("conversation", "never-stored"), first};
    auto values = run_awaitable(io_, cache_->get_many(std::move(keys)));

    using Values = std::vector<std::optional<std::string>>;
    EXPECT_EQ(values, (Values{std::string("bin\0ary", 7), std::nullopt, "row"}));
    EXPECT_TRUE(run_awaitable(io_, cache_->get_many({})).empty());
}

// A processed webhook batch touches dozens of conversations: far more keys than a fixed-size argument list holds.
TEST_F(RedisCacheTest, ManyKeysGoInOneCommandWhateverTheirNumber) {
    std::vector<std::string> keys;
    for (int i = 0; i < 200; ++i) {
        keys.push_back(unique_key("conversation", "bulk-" + std::to_string(i)));
        set(*cache_, keys.back(), "row-" + std::to_string(i));
    }
    auto values = run_awaitable(io_, cache_->get_many(keys));
    ASSERT_EQ(values.size(), keys.size());
    for (int i = 0; i < 200; ++i) EXPECT_EQ(values[static_cast<std::size_t>(i)], "row-" + std::to_string(i));

    run_awaitable(io_, cache_->erase_many(keys));
    for (const auto& key : keys) EXPECT_EQ(get(*cache_, key), std::nullopt) << key;
    EXPECT_EQ(requests("conversation", "error"), 0u);
}

TEST_F(RedisCacheTest, EraseRemovesTheKeyAndIgnoresMissingOnes) {
    auto key = unique_key("account", "erase");
    set(*cache_, key, "row");

    erase(*cache_, key);
    erase(*cache_, unique_key("account", "never-stored"));

    EXPECT_EQ(get(*cache_, key), std::nullopt);
}

TEST_F(RedisCacheTest, EntriesExpireAfterTheirTtl) {
    auto value_key = unique_key("free_window", "ttl");
    auto marker_key = unique_key("check_media", "ttl");
    set(*cache_, value_key, "expiry", 1s);
    ASSERT_TRUE(set_if_absent(*cache_, marker_key, 1s));

    std::this_thread::sleep_for(1100ms);

    EXPECT_EQ(get(*cache_, value_key), std::nullopt);
    EXPECT_TRUE(set_if_absent(*cache_, marker_key, 1s));
}

TEST_F(RedisCacheTest, ValuesAreBinarySafe) {
    auto key = unique_key("media_meta", "binary with spaces %s\r\n");
    std::string value("\0head\r\n$-1\r\n%s%n\xff\0tail", 20);
    value += std::string(100'000, '\0');

    set(*cache_, key, value);

    EXPECT_EQ(get(*cache_, key), value);
    erase(*cache_, key);
}

TEST_F(RedisCacheTest, ConcurrentCallersShareThePool) {
    constexpr int kCallers = 64;
    int hits = 0;
    for (int i = 0; i < kCallers; ++i) {
        boost::asio::co_spawn(
            io_,
            [&, i]() -> boost::asio::awaitable<void> {
                auto key = unique_key("conversation", "concurrent-" + std::to_string(i));
                co_await cache_->set(key, std::to_string(i), 60s);
                if (co_await cache_->get(key) == std::to_string(i)) ++hits;  // io_ runs on this thread only
                co_await cache_->erase(key);
            },
            boost::asio::detached);
    }
    io_.restart();
    io_.run();

    EXPECT_EQ(hits, kCallers);
}

TEST_F(RedisCacheTest, ReportsItselfAsRedisAndHealthy) {
    EXPECT_STREQ(cache_->backend_name(), "redis");
    EXPECT_EQ(health(*cache_), "ok");
}

// Failure cases run their own servers (or none), so they need no TEST_REDIS_URL.
using RedisFailureTest = RedisCacheTestBase;

TEST_F(RedisFailureTest, UnreachableRedisIsAFastMissThatNeverThrows) {
    auto cache = make_cache("redis://127.0.0.1:" + std::to_string(unused_loopback_port()));
    auto key = unique_key("account", "down");

    EXPECT_EQ(get(*cache, key), std::nullopt);  // the first call tries to connect
    for (int round = 0; round < 5; ++round) {
        auto started = Clock::now();
        EXPECT_EQ(get(*cache, key), std::nullopt);
        EXPECT_NO_THROW(set(*cache, key, "row"));
        EXPECT_TRUE(set_if_absent(*cache, key));
        EXPECT_NO_THROW(erase(*cache, key));
        std::vector<std::string> keys{key, key};
        EXPECT_EQ(run_awaitable(io_, cache->get_many(std::move(keys))),
                  (std::vector<std::optional<std::string>>{std::nullopt, std::nullopt}));
        EXPECT_LT(Clock::now() - started, 50ms) << "round " << round;
    }

    EXPECT_EQ(requests("account", "error"), 26u);
    EXPECT_EQ(requests("account", "hit") + requests("account", "miss"), 0u);
    EXPECT_EQ(health(*cache), "degraded");
}

TEST_F(RedisFailureTest, RedisKilledMidUseGivesMissesAndServesAgainOnceBack) {
    RedisServerProcess server(unused_loopback_port());
    server.start();
    auto cache = make_cache(server.url());
    auto key = unique_key("conversation", "dies");
    set(*cache, key, "row");
    ASSERT_EQ(get(*cache, key), "row");

    server.kill();
    EXPECT_EQ(get(*cache, key), std::nullopt);
    EXPECT_EQ(get(*cache, key), std::nullopt);
    EXPECT_NO_THROW(set(*cache, key, "row"));
    EXPECT_TRUE(set_if_absent(*cache, key));
    EXPECT_GE(requests("conversation", "error"), 4u);
    EXPECT_EQ(health(*cache), "degraded");

    server.start();
    EXPECT_TRUE(recovers_within(*cache, key, 5s));
    EXPECT_EQ(health(*cache), "ok");
}

TEST_F(RedisFailureTest, FrozenRedisCostsOneTimeoutThenFailsFast) {
    RedisServerProcess server(unused_loopback_port());
    server.start();
    auto cache = make_cache(server.url());
    auto key = unique_key("media_meta", "frozen");
    set(*cache, key, "meta");

    server.freeze();
    auto started = Clock::now();
    EXPECT_EQ(get(*cache, key), std::nullopt);
    auto first_call = Clock::now() - started;
    EXPECT_GE(first_call, 90ms);  // the read timeout, not a hang
    EXPECT_LT(first_call, 500ms);

    started = Clock::now();
    EXPECT_EQ(get(*cache, key), std::nullopt);
    EXPECT_LT(Clock::now() - started, 50ms);

    server.thaw();
    EXPECT_TRUE(recovers_within(*cache, key, 5s));
}

}  // namespace
}  // namespace inbox::cache
