#include "inbox/storage/db_lane.hpp"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace inbox::storage {

namespace asio = boost::asio;

// The timer is only touched on its own executor (the waiting coroutine's): release() posts there.
struct DbLane::Waiter {
    explicit Waiter(asio::any_io_executor executor) : timer(std::move(executor)) {}
    asio::steady_timer timer;
    bool granted = false;  // under the lane's mutex: the place was handed over by release()
};

DbLane::DbLane(DbPool& pool, std::string name)
    : pool_(pool), name_(std::move(name)), capacity_(std::max<std::size_t>(1, pool.size() - 1)) {}

std::size_t DbLane::in_use() const {
    std::lock_guard lock(mutex_);
    return in_use_;
}

asio::awaitable<void> DbLane::acquire(std::chrono::steady_clock::time_point deadline) {
    std::shared_ptr<Waiter> waiter;
    {
        std::lock_guard lock(mutex_);
        if (in_use_ < capacity_) {
            ++in_use_;
            co_return;
        }
    }
    waiter = std::make_shared<Waiter>(co_await asio::this_coro::executor);
    waiter->timer.expires_at(deadline);
    {
        std::lock_guard lock(mutex_);
        if (in_use_ < capacity_) {  // a place came free in between
            ++in_use_;
            co_return;
        }
        waiters_.push_back(waiter);
    }
    boost::system::error_code ignored;
    co_await waiter->timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    {
        std::lock_guard lock(mutex_);
        if (waiter->granted) co_return;  // handed over (also when it came just as the deadline passed)
        waiters_.remove(waiter);
    }
    throw UnavailableError("database calls of " + name_ + " waited too long for a connection");
}

void DbLane::release() {
    std::lock_guard lock(mutex_);
    if (waiters_.empty()) {
        --in_use_;
        return;
    }
    // The place goes straight to the oldest waiter: in_use_ stays.
    auto next = std::move(waiters_.front());
    waiters_.pop_front();
    next->granted = true;
    asio::post(next->timer.get_executor(), [next] { next->timer.cancel(); });
}

}  // namespace inbox::storage
