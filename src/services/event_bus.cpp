#include "inbox/services/event_bus.hpp"

#include <vector>

namespace inbox::services {

std::uint64_t EventBus::subscribe(Listener listener) {
    std::lock_guard lock(mutex_);
    listeners_.emplace(++next_id_, std::move(listener));
    return next_id_;
}

void EventBus::unsubscribe(std::uint64_t id) {
    std::lock_guard lock(mutex_);
    listeners_.erase(id);
}

std::size_t EventBus::subscriber_count() const {
    std::lock_guard lock(mutex_);
    return listeners_.size();
}

void EventBus::publish(const LiveEvent& event) const {
    std::vector<Listener> snapshot;  // call outside the lock: a listener may unsubscribe
    {
        std::lock_guard lock(mutex_);
        for (const auto& [id, listener] : listeners_) snapshot.push_back(listener);
    }
    for (const auto& listener : snapshot) listener(event);
}

}  // namespace inbox::services
