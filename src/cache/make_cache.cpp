#include "inbox/cache/make_cache.hpp"

#include <spdlog/spdlog.h>

#include "inbox/cache/memory_cache.hpp"
#include "inbox/cache/redis_cache.hpp"

namespace inbox::cache {

std::unique_ptr<Cache> make_cache(const std::optional<std::string>& redis_url, boost::asio::thread_pool& blocking,
                                  observability::MetricsRegistry& metrics) {
    if (redis_url) {
        auto cache = std::make_unique<RedisCache>(*redis_url, blocking, metrics);
        spdlog::info("cache: redis at {}", cache->endpoint().display());
        return cache;
    }
    spdlog::info("cache: in-memory, at most {} entries (no REDIS_URL)", MemoryCache::kDefaultMaxEntries);
    return std::make_unique<MemoryCache>(MemoryCache::kDefaultMaxEntries, metrics);
}

}  // namespace inbox::cache
