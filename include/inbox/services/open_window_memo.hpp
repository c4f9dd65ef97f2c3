#pragma once
// The instants at which conversations' free windows close, remembered in this process for the windows known to be
// open. It sits in front of the shared `free_window:{id}` cache entry and obeys the same rule: last_inbound_at only
// grows, so a remembered instant can only be earlier than the truth. An instant still in the future is therefore
// safe to act on without asking anyone; a past or missing one sends the caller to the shared cache and Postgres.
// No invalidation is needed, and a warm send saves its cache round trip.
#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>

#include "inbox/cache/lru_ttl_map.hpp"
#include "inbox/domain/time.hpp"

namespace inbox::services {

class OpenWindowMemo {
public:
    explicit OpenWindowMemo(std::size_t max_entries, std::chrono::steady_clock::duration ttl);

    // The remembered closing instant, when there is one that has not passed at `now`.
    std::optional<domain::TimePoint> open_until(const std::string& conversation_id, domain::TimePoint now);
    // Remembers `closes_at` when it is after `now` (a closed window is never remembered).
    void remember(const std::string& conversation_id, domain::TimePoint closes_at, domain::TimePoint now);

private:
    std::mutex mutex_;
    cache::LruTtlMap entries_;
    std::chrono::steady_clock::duration ttl_;
};

}  // namespace inbox::services
