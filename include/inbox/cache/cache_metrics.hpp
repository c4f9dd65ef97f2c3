#pragma once
// inbox_cache_requests_total{cache, backend, result}: one series per key family, resolved once and then reused, so
// counting an event never takes the registry's lock.
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "inbox/observability/metrics.hpp"

namespace inbox::cache {

enum class CacheResult { hit, miss, error };

class CacheMetrics {
public:
    // Families beyond this many are folded into "other": a bug that builds keys badly must not explode the number of
    // series.
    static constexpr std::size_t kMaxFamilies = 32;

    CacheMetrics(observability::MetricsRegistry& registry, std::string backend);

    void record(std::string_view key, CacheResult result);

private:
    struct FamilyCounters {
        observability::Counter* hit;
        observability::Counter* miss;
        observability::Counter* error;
    };
    const FamilyCounters& counters_for(std::string_view family);

    observability::MetricsRegistry& registry_;
    std::string backend_;
    std::mutex mutex_;
    std::map<std::string, FamilyCounters, std::less<>> by_family_;
};

}  // namespace inbox::cache
