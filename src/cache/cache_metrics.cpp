#include "inbox/cache/cache_metrics.hpp"

#include "inbox/cache/cache_family.hpp"

namespace inbox::cache {
namespace {

constexpr std::string_view kMetricName = "inbox_cache_requests_total";
constexpr std::string_view kMetricHelp = "Cache lookups by key family, backend and result (hit, miss, error).";

}  // namespace

CacheMetrics::CacheMetrics(observability::MetricsRegistry& registry, std::string backend)
    : registry_(registry), backend_(std::move(backend)) {}

void CacheMetrics::record(std::string_view key, CacheResult result) {
    const auto& counters = counters_for(cache_family(key));
    switch (result) {
        case CacheResult::hit:
            counters.hit->inc();
            break;
        case CacheResult::miss:
            counters.miss->inc();
            break;
        case CacheResult::error:
            counters.error->inc();
            break;
    }
}

const CacheMetrics::FamilyCounters& CacheMetrics::counters_for(std::string_view family) {
    std::lock_guard lock(mutex_);
    if (auto found = by_family_.find(family); found != by_family_.end()) return found->second;
    if (by_family_.size() >= kMaxFamilies) family = "other";
    if (auto found = by_family_.find(family); found != by_family_.end()) return found->second;

    auto counter = [&](const char* result) {
        return &registry_.counter(kMetricName, kMetricHelp,
                                  {{"cache", std::string(family)}, {"backend", backend_}, {"result", result}});
    };
    FamilyCounters counters{counter("hit"), counter("miss"), counter("error")};
    return by_family_.emplace(std::string(family), counters).first->second;
}

}  // namespace inbox::cache
