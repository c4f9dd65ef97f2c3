#include "loadgen/dispatcher.hpp"

#include <algorithm>

namespace inbox::loadgen {

Dispatcher::Dispatcher(std::size_t max_queue) : max_queue_(max_queue) {}

Dispatcher::Offer Dispatcher::offer(PendingRequest request) {
    Waiter* waiter = nullptr;
    {
        std::lock_guard lock(mutex_);
        if (closed_) return Offer::dropped;
        if (idle_.empty()) {
            if (queue_.size() >= max_queue_) return Offer::dropped;
            queue_.push_back(std::move(request));
            max_queued_ = std::max(max_queued_, queue_.size());
            return Offer::queued;
        }
        waiter = idle_.back();  // the most recently idle connection: its socket is warm
        idle_.pop_back();
    }
    waiter->deliver(std::move(request));
    return Offer::handed_off;
}

Dispatcher::Take Dispatcher::take_or_wait(Waiter& waiter) {
    {
        std::lock_guard lock(mutex_);
        if (!queue_.empty()) {
            PendingRequest request = std::move(queue_.front());
            queue_.pop_front();
            return {TakeState::got, std::move(request)};
        }
        if (closed_) return {TakeState::closed, std::nullopt};
        idle_.push_back(&waiter);
    }
    if (on_idle_) on_idle_();
    return {TakeState::wait, std::nullopt};
}

std::size_t Dispatcher::idle() const {
    std::lock_guard lock(mutex_);
    return idle_.size();
}

void Dispatcher::set_on_idle(std::function<void()> on_idle) { on_idle_ = std::move(on_idle); }

std::vector<Waiter*> Dispatcher::release_idle_locked() {
    closed_ = true;
    std::vector<Waiter*> released;
    released.swap(idle_);
    return released;
}

void Dispatcher::close() {
    std::vector<Waiter*> released;
    {
        std::lock_guard lock(mutex_);
        released = release_idle_locked();
    }
    for (Waiter* waiter : released) waiter->deliver(std::nullopt);
}

std::vector<PendingRequest> Dispatcher::abandon() {
    std::vector<Waiter*> released;
    std::vector<PendingRequest> unsent;
    {
        std::lock_guard lock(mutex_);
        released = release_idle_locked();
        unsent.assign(std::make_move_iterator(queue_.begin()), std::make_move_iterator(queue_.end()));
        queue_.clear();
    }
    for (Waiter* waiter : released) waiter->deliver(std::nullopt);
    return unsent;
}

std::size_t Dispatcher::queued() const {
    std::lock_guard lock(mutex_);
    return queue_.size();
}

std::size_t Dispatcher::max_queued() const {
    std::lock_guard lock(mutex_);
    return max_queued_;
}

}  // namespace inbox::loadgen
