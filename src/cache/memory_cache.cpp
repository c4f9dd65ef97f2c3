#include "inbox/cache/memory_cache.hpp"

#include <algorithm>

namespace inbox::cache {
namespace {

// Same floor as Redis, which rejects EX 0: a zero TTL still stores the value briefly.
std::chrono::seconds effective_ttl(std::chrono::seconds ttl) { return std::max(ttl, std::chrono::seconds(1)); }

}  // namespace

MemoryCache::MemoryCache(std::size_t max_entries, observability::MetricsRegistry& metrics, Clock clock)
    : clock_(std::move(clock)), metrics_(metrics, "memory"), entries_(max_entries) {}

boost::asio::awaitable<std::optional<std::string>> MemoryCache::get(std::string key) {
    std::optional<std::string> value;
    {
        std::lock_guard lock(mutex_);
        value = entries_.get(key, clock_());
    }
    metrics_.record(key, value ? CacheResult::hit : CacheResult::miss);
    co_return value;
}

boost::asio::awaitable<std::vector<std::optional<std::string>>> MemoryCache::get_many(std::vector<std::string> keys) {
    std::vector<std::optional<std::string>> values;
    values.reserve(keys.size());
    {
        std::lock_guard lock(mutex_);
        const auto now = clock_();
        for (const auto& key : keys) values.push_back(entries_.get(key, now));
    }
    for (std::size_t i = 0; i < keys.size(); ++i) {
        metrics_.record(keys[i], values[i] ? CacheResult::hit : CacheResult::miss);
    }
    co_return values;
}

boost::asio::awaitable<void> MemoryCache::set(std::string key, std::string value, std::chrono::seconds ttl) {
    std::lock_guard lock(mutex_);
    entries_.set(std::move(key), std::move(value), clock_() + effective_ttl(ttl));
    co_return;
}

boost::asio::awaitable<bool> MemoryCache::set_if_absent(std::string key, std::string value, std::chrono::seconds ttl) {
    bool stored = false;
    {
        std::lock_guard lock(mutex_);
        auto now = clock_();
        stored = entries_.set_if_absent(key, std::move(value), now + effective_ttl(ttl), now);
    }
    metrics_.record(key, stored ? CacheResult::miss : CacheResult::hit);
    co_return stored;
}

boost::asio::awaitable<void> MemoryCache::erase(std::string key) {
    std::lock_guard lock(mutex_);
    entries_.erase(key);
    co_return;
}

boost::asio::awaitable<void> MemoryCache::erase_many(std::vector<std::string> keys) {
    std::lock_guard lock(mutex_);
    for (const auto& key : keys) entries_.erase(key);
    co_return;
}

boost::asio::awaitable<std::string> MemoryCache::health() { co_return "disabled"; }

}  // namespace inbox::cache
