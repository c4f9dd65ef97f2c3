#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "loadgen/schedule.hpp"

namespace inbox::loadgen {

// A request the scheduler has released: its latency clock started at `scheduled`.
struct PendingRequest {
    std::size_t endpoint = 0;
    TimePoint scheduled;
    std::string wire;
};

// A connection that waits for work. deliver() is called from the scheduler's thread, with a request or
// with nullopt when there will be no more; the connection must hop onto its own executor.
class Waiter {
public:
    virtual void deliver(std::optional<PendingRequest> request) = 0;

protected:
    ~Waiter() = default;
};

// Hands due requests to idle connections, or queues them (up to a bound) while all are busy.
// Thread-safe; no I/O, so the hand-off rules are unit-testable.
class Dispatcher {
public:
    explicit Dispatcher(std::size_t max_queue);

    enum class Offer { handed_off, queued, dropped };
    // A dropped request is the caller's to count: the queue was full.
    Offer offer(PendingRequest request);

    enum class TakeState { got, wait, closed };
    struct Take {
        TakeState state;
        std::optional<PendingRequest> request;
    };
    // The oldest queued request; else, unless closed, registers `waiter` for the next one (state wait).
    Take take_or_wait(Waiter& waiter);

    // No more offers: idle waiters are released with nullopt; queued requests are still taken.
    void close();
    // Closes and empties the queue, returning what was never sent.
    std::vector<PendingRequest> abandon();

    std::size_t queued() const;
    std::size_t max_queued() const;
    std::size_t idle() const;
    // Called (outside the lock, on the connection's thread) each time a connection starts waiting for work: the
    // closed-loop scheduler's cue to hand it the next request.
    void set_on_idle(std::function<void()> on_idle);

private:
    std::vector<Waiter*> release_idle_locked();

    mutable std::mutex mutex_;
    std::size_t max_queue_;
    std::deque<PendingRequest> queue_;
    std::vector<Waiter*> idle_;
    std::size_t max_queued_ = 0;
    bool closed_ = false;
    std::function<void()> on_idle_;
};

}  // namespace inbox::loadgen
