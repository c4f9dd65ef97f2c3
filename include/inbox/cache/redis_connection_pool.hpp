#pragma once
// A few hiredis sync contexts shared by the blocking pool's threads, each used by one thread at a time. Contexts are
// opened lazily; a failed one is dropped and replaced on a later call. After a failed connect or a context failure
// (I/O error, timeout) nobody opens a new context for `reconnect_backoff`: a dead or hung Redis then answers at once
// instead of costing every request a connect attempt or a timeout. Idle contexts stay usable meanwhile.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <vector>

#include "inbox/cache/redis_connection.hpp"
#include "inbox/cache/redis_endpoint.hpp"

namespace inbox::cache {

struct RedisPoolOptions {
    std::size_t size = 4;
    // Connect, read and write timeout of each context, and the longest wait for a free context.
    std::chrono::milliseconds timeout{100};
    std::chrono::milliseconds reconnect_backoff{1000};
};

class RedisConnectionPool {
public:
    using Clock = std::function<std::chrono::steady_clock::time_point()>;

    // A context on loan; it goes back to the pool when the lease ends unless discard() was called.
    class Lease {
    public:
        Lease(Lease&& other) noexcept;
        Lease& operator=(Lease&&) = delete;
        ~Lease();

        redisContext& context() const noexcept { return *context_; }
        // The context failed: close it instead of lending it again, and start the reconnect backoff.
        void discard() noexcept { context_.reset(); }

    private:
        friend class RedisConnectionPool;
        Lease(RedisConnectionPool& pool, RedisContextPtr context) : pool_(&pool), context_(std::move(context)) {}

        RedisConnectionPool* pool_;
        RedisContextPtr context_;
    };

    RedisConnectionPool(
        RedisEndpoint endpoint, RedisPoolOptions options,
        Clock clock = [] { return std::chrono::steady_clock::now(); });
    RedisConnectionPool(const RedisConnectionPool&) = delete;
    RedisConnectionPool& operator=(const RedisConnectionPool&) = delete;

    // Blocks up to `timeout` (plus a connect). Throws RedisUnavailable.
    Lease acquire();

    // True when a call would fail at once: backing off and no open context is idle. Cheap and lock-free, for callers
    // that want to skip the hop to the blocking pool.
    bool unavailable() const noexcept;

    const RedisEndpoint& endpoint() const noexcept { return endpoint_; }

private:
    bool backing_off(std::chrono::steady_clock::time_point now) const noexcept;
    void give_back(RedisContextPtr context) noexcept;  // nullptr: the context failed or never connected

    RedisEndpoint endpoint_;
    RedisPoolOptions options_;
    Clock clock_;

    std::mutex mutex_;
    std::condition_variable returned_;
    std::vector<RedisContextPtr> idle_;
    std::size_t open_ = 0;  // idle + on loan + being connected
    std::atomic<std::size_t> idle_count_{0};
    std::atomic<std::chrono::steady_clock::rep> retry_after_{0};  // ticks since the clock's epoch
};

}  // namespace inbox::cache
