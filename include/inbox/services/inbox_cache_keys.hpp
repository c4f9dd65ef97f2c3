#pragma once
// Cache keys. Versioned like every key (cache::kKeyVersion); the family (first segment after the version) is the
// `cache` metric label. webhook_processor.cpp erases the free-window key of every conversation it wrote to.
// Conversation rows are not cached: a read is one indexed statement with the membership in it, and a cached row
// could be stale (cache-aside races a writer's erase, and a failed erase left it stale for its whole TTL).
#include <string>
#include <string_view>

#include "inbox/cache/cache.hpp"

namespace inbox::services {

// The instant a conversation's free window closes (ARCHITECTURE.md "Caches"; used by the send path).
inline std::string free_window_cache_key(std::string_view conversation_id) {
    return std::string(cache::kKeyVersion) + "free_window:" + std::string(conversation_id);
}

// Meta's media metadata (mime, sha256, size) and its short-lived download URL with the time it was fetched.
inline std::string media_meta_cache_key(std::string_view media_id) {
    return std::string(cache::kKeyVersion) + "media_meta:" + std::string(media_id);
}

// check-media's debounce marker: the instant (Unix seconds) the next scan of the conversation may start.
inline std::string check_media_cache_key(std::string_view conversation_id) {
    return std::string(cache::kKeyVersion) + "check_media:" + std::string(conversation_id);
}

// The upstream contact lookup's answer for one contact of one account (24 h).
inline std::string contact_lookup_cache_key(std::string_view account_id, std::string_view wa_id) {
    return std::string(cache::kKeyVersion) + "contact_lookup:" + std::string(account_id) + ":" + std::string(wa_id);
}

}  // namespace inbox::services
