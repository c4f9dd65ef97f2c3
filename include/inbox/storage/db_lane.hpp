#pragma once
// A bulkhead in front of a DbPool: the calls of one family (one repository) hold at most all but one of the pool's
// connections at a time. When a table is locked or slow, the calls that touch it pile up in their own lane and
// time out there (503 after the pool's acquire timeout), while every other family still finds a connection.
// Waiting for a place suspends the coroutine (a timer), never a pool thread.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstddef>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <type_traits>
#include <utility>

#include "inbox/storage/db_pool.hpp"

namespace inbox::storage {

class DbLane {
public:
    // `name` labels the lane in errors and metrics.
    DbLane(DbPool& pool, std::string name);
    DbLane(const DbLane&) = delete;
    DbLane& operator=(const DbLane&) = delete;

    // DbPool::run inside the lane. Not a coroutine (GCC 12, docs/ARCHITECTURE.md): the pool's awaitable is made
    // here, so its acquire deadline also bounds the wait for a place in the lane.
    template <typename Fn>
    auto run(Fn fn) {
        auto deadline = std::chrono::steady_clock::now() + pool_.acquire_timeout();
        return admit(pool_.run(std::move(fn)), deadline);
    }

    std::size_t capacity() const noexcept { return capacity_; }
    std::size_t in_use() const;

private:
    struct Waiter;
    // Gives the place back when the call ends, however it ends.
    class Place {
    public:
        explicit Place(DbLane& lane) : lane_(lane) {}
        ~Place() { lane_.release(); }
        Place(const Place&) = delete;
        Place& operator=(const Place&) = delete;

    private:
        DbLane& lane_;
    };

    template <typename T>
    boost::asio::awaitable<T> admit(boost::asio::awaitable<T> work, std::chrono::steady_clock::time_point deadline) {
        co_await acquire(deadline);
        Place place(*this);
        if constexpr (std::is_void_v<T>) {
            co_await std::move(work);
        } else {
            co_return co_await std::move(work);
        }
    }
    // A place, or UnavailableError at `deadline`.
    boost::asio::awaitable<void> acquire(std::chrono::steady_clock::time_point deadline);
    void release();

    DbPool& pool_;
    std::string name_;
    std::size_t capacity_;
    mutable std::mutex mutex_;
    std::size_t in_use_ = 0;
    std::list<std::shared_ptr<Waiter>> waiters_;  // oldest first
};

}  // namespace inbox::storage
