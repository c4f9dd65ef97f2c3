#pragma once
// The shared cache: Redis through a small pool of hiredis sync contexts, driven from the blocking thread pool.
// Fails open: every error or timeout is a miss (set_if_absent answers true), counted and logged at most once per
// few seconds; no Redis failure ever reaches the caller.
#include <boost/asio/thread_pool.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "inbox/cache/cache.hpp"
#include "inbox/cache/cache_metrics.hpp"
#include "inbox/cache/log_throttle.hpp"
#include "inbox/cache/redis_connection_pool.hpp"

namespace inbox::cache {

class RedisCache final : public Cache {
public:
    // Parses the URL (throws std::invalid_argument) but does not connect: the first call does.
    // `blocking` must outlive every call in flight.
    RedisCache(std::string_view url, boost::asio::thread_pool& blocking, observability::MetricsRegistry& metrics,
               RedisPoolOptions options = {});

    // get counts hit/miss; set_if_absent counts hit when the key was present, miss when it stored; any operation
    // that fails counts error.
    boost::asio::awaitable<std::optional<std::string>> get(std::string key) override;
    boost::asio::awaitable<std::vector<std::optional<std::string>>> get_many(std::vector<std::string> keys) override;
    boost::asio::awaitable<void> set(std::string key, std::string value, std::chrono::seconds ttl) override;
    boost::asio::awaitable<bool> set_if_absent(std::string key, std::string value, std::chrono::seconds ttl) override;
    boost::asio::awaitable<void> erase(std::string key) override;
    boost::asio::awaitable<void> erase_many(std::vector<std::string> keys) override;

    const char* backend_name() const noexcept override { return "redis"; }
    // "ok" when a PING answers, else "degraded".
    boost::asio::awaitable<std::string> health() override;

    const RedisEndpoint& endpoint() const noexcept { return pool_.endpoint(); }

private:
    struct Outcome {
        RedisReplyPtr reply;  // never an error reply
        std::string error;    // why there is no reply
    };
    // One command on a pooled context, on the blocking pool.
    boost::asio::awaitable<Outcome> execute(std::vector<std::string_view> argv);
    // execute(), with a failure counted against the key's family and logged; nullptr on failure.
    boost::asio::awaitable<RedisReplyPtr> command(std::string_view key, std::vector<std::string_view> argv);
    void log_failure(std::string_view error);

    boost::asio::thread_pool& blocking_;
    RedisConnectionPool pool_;
    CacheMetrics metrics_;
    LogThrottle log_throttle_;
};

}  // namespace inbox::cache
