#include "inbox/cache/make_cache.hpp"

#include <gtest/gtest.h>

#include <boost/asio/thread_pool.hpp>
#include <stdexcept>

namespace inbox::cache {
namespace {

TEST(MakeCache, UsesMemoryWithoutARedisUrl) {
    boost::asio::thread_pool blocking(1);
    observability::MetricsRegistry metrics;
    EXPECT_STREQ(make_cache(std::nullopt, blocking, metrics)->backend_name(), "memory");
}

TEST(MakeCache, UsesRedisWithAUrlWithoutConnecting) {
    boost::asio::thread_pool blocking(1);
    observability::MetricsRegistry metrics;
    EXPECT_STREQ(make_cache("redis://127.0.0.1:1", blocking, metrics)->backend_name(), "redis");
}

TEST(MakeCache, RejectsAMalformedRedisUrl) {
    boost::asio::thread_pool blocking(1);
    observability::MetricsRegistry metrics;
    EXPECT_THROW(make_cache("http://127.0.0.1:6379", blocking, metrics), std::invalid_argument);
}

}  // namespace
}  // namespace inbox::cache
