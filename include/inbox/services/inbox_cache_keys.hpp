#pragma once
// Cache keys of the inbox reads. Versioned like every key (cache::kKeyVersion); the family (first segment after
// the version) is the `cache` metric label. webhook_processor.cpp erases the conversation keys after a write.
#include <string>
#include <string_view>

#include "inbox/cache/cache.hpp"

namespace inbox::services {

// The conversation row (facts only, never the free-window boolean). `conversation_id` is a lower-case UUID.
inline std::string conversation_cache_key(std::string_view conversation_id) {
    return std::string(cache::kKeyVersion) + "conversation:" + std::string(conversation_id);
}

// The instant a conversation's free window closes (ARCHITECTURE.md "Caches"; used by the send path).
inline std::string free_window_cache_key(std::string_view conversation_id) {
    return std::string(cache::kKeyVersion) + "free_window:" + std::string(conversation_id);
}

// The account ids a user is a member of (the JWT subject; the argv-based Redis client makes any text safe).
inline std::string membership_cache_key(std::string_view user_id) {
    return std::string(cache::kKeyVersion) + "members:user:" + std::string(user_id);
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
