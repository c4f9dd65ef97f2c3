#include "inbox/cache/cache_metrics.hpp"

#include <gtest/gtest.h>

#include <string>

namespace inbox::cache {
namespace {

std::uint64_t requests(observability::MetricsRegistry& registry, const std::string& family, const std::string& backend,
                       const std::string& result) {
    return registry
        .counter("inbox_cache_requests_total", "", {{"cache", family}, {"backend", backend}, {"result", result}})
        .value();
}

TEST(CacheMetrics, CountsEachResultUnderTheKeysFamilyAndBackend) {
    observability::MetricsRegistry registry;
    CacheMetrics metrics(registry, "redis");

    metrics.record("v1:account:phone:1", CacheResult::hit);
    metrics.record("v1:account:7", CacheResult::hit);
    metrics.record("v1:media_meta:9", CacheResult::miss);
    metrics.record("v1:media_meta:9", CacheResult::error);

    EXPECT_EQ(requests(registry, "account", "redis", "hit"), 2u);
    EXPECT_EQ(requests(registry, "account", "redis", "miss"), 0u);
    EXPECT_EQ(requests(registry, "media_meta", "redis", "miss"), 1u);
    EXPECT_EQ(requests(registry, "media_meta", "redis", "error"), 1u);
    EXPECT_NE(registry.render_prometheus().find(
                  R"(inbox_cache_requests_total{cache="account",backend="redis",result="hit"} 2)"),
              std::string::npos);
}

TEST(CacheMetrics, FoldsFamiliesPastTheLimitIntoOther) {
    observability::MetricsRegistry registry;
    CacheMetrics metrics(registry, "memory");
    for (std::size_t i = 0; i < CacheMetrics::kMaxFamilies; ++i) {
        metrics.record("v1:family" + std::to_string(i) + ":x", CacheResult::miss);
    }
    metrics.record("v1:one_too_many:x", CacheResult::miss);
    metrics.record("v1:family0:x", CacheResult::miss);

    EXPECT_EQ(requests(registry, "other", "memory", "miss"), 1u);
    EXPECT_EQ(requests(registry, "family0", "memory", "miss"), 2u);
}

}  // namespace
}  // namespace inbox::cache
