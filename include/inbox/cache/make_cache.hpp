#pragma once
#include <boost/asio/thread_pool.hpp>
#include <memory>
#include <optional>
#include <string>

#include "inbox/cache/cache.hpp"
#include "inbox/observability/metrics.hpp"

namespace inbox::cache {

// Redis when a URL is configured (throws std::invalid_argument for a malformed one), else the in-memory cache with
// MemoryCache::kDefaultMaxEntries entries.
std::unique_ptr<Cache> make_cache(const std::optional<std::string>& redis_url, boost::asio::thread_pool& blocking,
                                  observability::MetricsRegistry& metrics);

}  // namespace inbox::cache
