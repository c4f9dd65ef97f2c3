#pragma once
// In-process publish/subscribe for live updates (message.created, message.updated, conversation.updated). The SSE
// endpoint subscribes per client; webhook processing and sends publish after their transaction commits.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace inbox::services {

struct LiveEvent {
    std::string account_id;
    std::string type;  // "message.created" | "message.updated" | "conversation.updated"
    std::string data;  // the changed resource as compact JSON text, serialized once for every subscriber
};

// Events for every subscriber, whatever its account.
inline constexpr std::string_view kEveryAccount = "*";
// Internal, never sent to clients: the membership of user `data` ("*": anyone) in the account changed, so event
// streams of that user re-check theirs (API.md Part 2 "Events": session.ended).
inline constexpr std::string_view kMembershipChanged = "membership.changed";

class EventBus {
public:
    using Listener = std::function<void(const LiveEvent&)>;

    // Listeners must not block: they run on the publisher's thread.
    std::uint64_t subscribe(Listener listener);
    void unsubscribe(std::uint64_t id);
    void publish(const LiveEvent& event) const;
    // Lets publishers skip building events nobody would receive.
    std::size_t subscriber_count() const;

private:
    mutable std::mutex mutex_;
    std::uint64_t next_id_ = 0;
    std::map<std::uint64_t, Listener> listeners_;
};

}  // namespace inbox::services
