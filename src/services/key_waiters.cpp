#include "inbox/services/key_waiters.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace inbox::services {

namespace asio = boost::asio;

// The timer is only touched on its own executor (the waiting coroutine's): notify() posts there.
struct KeyWaiters::Waiter {
    explicit Waiter(asio::any_io_executor executor) : timer(std::move(executor)) {
        timer.expires_at(asio::steady_timer::time_point::max());
    }
    asio::steady_timer timer;
    bool notified = false;
};

KeyWaiters::Ticket::Ticket(KeyWaiters& owner, std::string key, std::shared_ptr<Waiter> waiter)
    : owner_(owner), key_(std::move(key)), waiter_(std::move(waiter)) {}

KeyWaiters::Ticket::~Ticket() { owner_.remove(key_, waiter_.get()); }

asio::awaitable<bool> KeyWaiters::Ticket::wait(std::chrono::milliseconds timeout) {
    if (waiter_->notified) co_return true;
    waiter_->timer.expires_after(timeout);
    boost::system::error_code ignored;
    co_await waiter_->timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    co_return waiter_->notified;
}

asio::awaitable<std::unique_ptr<KeyWaiters::Ticket>> KeyWaiters::prepare(std::string key) {
    auto waiter = std::make_shared<Waiter>(co_await asio::this_coro::executor);
    {
        std::lock_guard lock(mutex_);
        waiters_.emplace(key, waiter);
    }
    co_return std::make_unique<Ticket>(*this, std::move(key), std::move(waiter));
}

void KeyWaiters::notify(const std::string& key) {
    std::lock_guard lock(mutex_);
    auto [first, last] = waiters_.equal_range(key);
    for (auto it = first; it != last; ++it) {
        auto waiter = it->second;
        asio::post(waiter->timer.get_executor(), [waiter] {
            waiter->notified = true;
            waiter->timer.cancel();
        });
    }
}

std::size_t KeyWaiters::waiting() const {
    std::lock_guard lock(mutex_);
    return waiters_.size();
}

void KeyWaiters::remove(const std::string& key, const Waiter* waiter) {
    std::lock_guard lock(mutex_);
    auto [first, last] = waiters_.equal_range(key);
    for (auto it = first; it != last; ++it) {
        if (it->second.get() == waiter) {
            waiters_.erase(it);
            return;
        }
    }
}

}  // namespace inbox::services
