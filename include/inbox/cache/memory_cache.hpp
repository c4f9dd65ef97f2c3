#pragma once
// The cache used when no Redis is configured: per-process, bounded (LRU) and with per-entry TTL. Several I/O threads
// call it at once, so every operation runs under one mutex; none of them does I/O or waits on anything else.
#include <chrono>
#include <cstddef>
#include <functional>
#include <mutex>

#include "inbox/cache/cache.hpp"
#include "inbox/cache/cache_metrics.hpp"
#include "inbox/cache/lru_ttl_map.hpp"

namespace inbox::cache {

class MemoryCache final : public Cache {
public:
    using Clock = std::function<std::chrono::steady_clock::time_point()>;

    static constexpr std::size_t kDefaultMaxEntries = 100'000;

    MemoryCache(
        std::size_t max_entries, observability::MetricsRegistry& metrics,
        Clock clock = [] { return std::chrono::steady_clock::now(); });

    // get counts hit/miss; set_if_absent counts hit when the key was present, miss when it stored.
    boost::asio::awaitable<std::optional<std::string>> get(std::string key) override;
    boost::asio::awaitable<std::vector<std::optional<std::string>>> get_many(std::vector<std::string> keys) override;
    boost::asio::awaitable<void> set(std::string key, std::string value, std::chrono::seconds ttl) override;
    boost::asio::awaitable<bool> set_if_absent(std::string key, std::string value, std::chrono::seconds ttl) override;
    boost::asio::awaitable<void> erase(std::string key) override;
    boost::asio::awaitable<void> erase_many(std::vector<std::string> keys) override;

    const char* backend_name() const noexcept override { return "memory"; }
    boost::asio::awaitable<std::string> health() override;

private:
    Clock clock_;
    CacheMetrics metrics_;
    std::mutex mutex_;
    LruTtlMap entries_;
};

}  // namespace inbox::cache
