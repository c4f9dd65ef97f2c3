#include "inbox/cache/redis_connection_pool.hpp"

#include <stdexcept>
#include <string>

namespace inbox::cache {

RedisConnectionPool::Lease::Lease(Lease&& other) noexcept : pool_(other.pool_), context_(std::move(other.context_)) {
    other.pool_ = nullptr;
}

RedisConnectionPool::Lease::~Lease() {
    if (pool_ != nullptr) pool_->give_back(std::move(context_));
}

RedisConnectionPool::RedisConnectionPool(RedisEndpoint endpoint, RedisPoolOptions options, Clock clock)
    : endpoint_(std::move(endpoint)), options_(options), clock_(std::move(clock)) {
    if (options_.size == 0) throw std::invalid_argument("redis pool size must be at least 1");
    // hiredis reads a zero timeout as "wait forever".
    if (options_.timeout <= std::chrono::milliseconds::zero()) {
        throw std::invalid_argument("redis timeout must be positive");
    }
    idle_.reserve(options_.size);
}

RedisConnectionPool::Lease RedisConnectionPool::acquire() {
    std::unique_lock lock(mutex_);
    auto unreachable = [] { return RedisUnavailable("redis unreachable, waiting to reconnect"); };
    if (idle_.empty() && backing_off(clock_())) throw unreachable();
    auto has_room = [&] { return !idle_.empty() || open_ < options_.size; };
    if (!returned_.wait_for(lock, options_.timeout, has_room)) {
        throw RedisUnavailable("all " + std::to_string(options_.size) + " redis connections busy");
    }
    if (!idle_.empty()) {
        auto context = std::move(idle_.back());
        idle_.pop_back();
        idle_count_.store(idle_.size(), std::memory_order_relaxed);
        return Lease(*this, std::move(context));
    }
    if (backing_off(clock_())) throw unreachable();

    ++open_;
    lock.unlock();  // connecting can take up to `timeout`: never while holding the lock
    try {
        return Lease(*this, connect_redis(endpoint_, options_.timeout));
    } catch (...) {
        give_back(nullptr);
        throw;
    }
}

bool RedisConnectionPool::unavailable() const noexcept {
    return idle_count_.load(std::memory_order_relaxed) == 0 && backing_off(clock_());
}

bool RedisConnectionPool::backing_off(std::chrono::steady_clock::time_point now) const noexcept {
    return now.time_since_epoch().count() < retry_after_.load(std::memory_order_relaxed);
}

void RedisConnectionPool::give_back(RedisContextPtr context) noexcept {
    {
        std::lock_guard lock(mutex_);
        if (context) {
            idle_.push_back(std::move(context));
            idle_count_.store(idle_.size(), std::memory_order_relaxed);
        } else {
            --open_;
            auto retry_at = clock_() + options_.reconnect_backoff;
            retry_after_.store(retry_at.time_since_epoch().count(), std::memory_order_relaxed);
        }
    }
    returned_.notify_one();
}

}  // namespace inbox::cache
