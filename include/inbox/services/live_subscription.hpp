#pragma once
// One live client's view of the event bus: the events of one account, in a bounded queue. A client that falls
// more than `max_queued` events behind is marked overflowed and gets nothing more, so a stalled client can never
// grow the server's memory; its consumer then disconnects it.
#include "inbox/services/event_bus.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace inbox::services {

class LiveSubscription {
public:
    // `notify` runs on the publisher's thread after each queued event (false) or once on overflow (true); it must
    // not block (it wakes the consumer).
    using Notify = std::function<void(bool overflowed)>;

    LiveSubscription(EventBus& bus, std::string account_id, std::size_t max_queued, Notify notify);
    ~LiveSubscription();
    LiveSubscription(const LiveSubscription&) = delete;
    LiveSubscription& operator=(const LiveSubscription&) = delete;

    // Everything queued so far, oldest first; empty once overflowed.
    std::vector<LiveEvent> take();
    bool overflowed() const;

private:
    struct Queue;  // shared with the bus listener, so a publish racing the destructor finds it alive

    EventBus& bus_;
    std::shared_ptr<Queue> queue_;
    std::uint64_t listener_id_;
};

}  // namespace inbox::services
