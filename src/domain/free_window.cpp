#include "inbox/domain/free_window.hpp"

namespace inbox::domain {

FreeWindow free_window(std::optional<TimePoint> last_inbound_at, TimePoint now) {
    if (!last_inbound_at) return {};
    const TimePoint expires_at = *last_inbound_at + kFreeWindowDuration;
    return {.open = now < expires_at, .expires_at = expires_at};
}

}  // namespace inbox::domain
