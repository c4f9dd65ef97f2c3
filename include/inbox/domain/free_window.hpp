#pragma once
// WhatsApp's customer-service window: free-form messages may be sent for 24 h after the contact's last inbound
// message. Only inbound user messages open or refresh it (statuses and our own sends do not).
#include <chrono>
#include <optional>

#include "inbox/domain/time.hpp"

namespace inbox::domain {

inline constexpr std::chrono::hours kFreeWindowDuration{24};

struct FreeWindow {
    bool open = false;
    // last inbound + 24 h, in the past when the window has closed; empty when the contact never wrote to us.
    std::optional<TimePoint> expires_at;
};

// Open iff `now` is strictly before `expires_at`: at exactly 24 h the window is closed.
FreeWindow free_window(std::optional<TimePoint> last_inbound_at, TimePoint now);

}  // namespace inbox::domain
