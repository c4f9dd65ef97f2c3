#pragma once
// Coroutines waiting for "something about key K changed" (a media download finished), woken by notify(K) from any
// thread. A waiter registers *before* it looks at the state it waits on, so a change that lands between the look
// and the wait still wakes it: prepare(), read, then Ticket::wait().
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace inbox::services {

class KeyWaiters {
public:
    struct Waiter;

    class Ticket {
    public:
        Ticket(KeyWaiters& owner, std::string key, std::shared_ptr<Waiter> waiter);
        ~Ticket();
        Ticket(const Ticket&) = delete;
        Ticket& operator=(const Ticket&) = delete;
        // Suspends until notify(key) (true) or `timeout` (false). Once per ticket.
        boost::asio::awaitable<bool> wait(std::chrono::milliseconds timeout);

    private:
        KeyWaiters& owner_;
        std::string key_;
        std::shared_ptr<Waiter> waiter_;
    };

    // Registers a waiter on the calling coroutine's executor.
    boost::asio::awaitable<std::unique_ptr<Ticket>> prepare(std::string key);
    // Wakes every waiter of `key`; thread-safe.
    void notify(const std::string& key);
    std::size_t waiting() const;

private:
    void remove(const std::string& key, const Waiter* waiter);

    mutable std::mutex mutex_;
    std::multimap<std::string, std::shared_ptr<Waiter>> waiters_;
};

}  // namespace inbox::services
