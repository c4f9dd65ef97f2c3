#include "inbox/services/live_subscription.hpp"

#include <mutex>
#include <utility>

namespace inbox::services {

struct LiveSubscription::Queue {
    std::string account_id;
    std::size_t max_queued;
    Notify notify;
    mutable std::mutex mutex;
    std::vector<LiveEvent> events;
    bool overflowed = false;

    void push(const LiveEvent& event) {
        if (event.account_id != account_id && event.account_id != kEveryAccount) return;
        bool overflow_now = false;
        {
            std::lock_guard lock(mutex);
            if (overflowed) return;
            if (events.size() >= max_queued) {
                overflowed = overflow_now = true;
                events.clear();
            } else {
                events.push_back(event);
            }
        }
        notify(overflow_now);
    }
};

LiveSubscription::LiveSubscription(EventBus& bus, std::string account_id, std::size_t max_queued, Notify notify)
    : bus_(bus), queue_(std::make_shared<Queue>()) {
    queue_->account_id = std::move(account_id);
    queue_->max_queued = max_queued;
    queue_->notify = std::move(notify);
    listener_id_ = bus_.subscribe([queue = queue_](const LiveEvent& event) { queue->push(event); });
}

LiveSubscription::~LiveSubscription() { bus_.unsubscribe(listener_id_); }

std::vector<LiveEvent> LiveSubscription::take() {
    std::lock_guard lock(queue_->mutex);
    return std::exchange(queue_->events, {});
}

bool LiveSubscription::overflowed() const {
    std::lock_guard lock(queue_->mutex);
    return queue_->overflowed;
}

}  // namespace inbox::services
