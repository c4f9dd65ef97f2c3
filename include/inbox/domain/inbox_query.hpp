#pragma once
// What a caller may ask of the inbox lists: a page window, the conversation status filter, the message cursor.
#include <optional>
#include <string>

#include "inbox/domain/time.hpp"

namespace inbox::domain {

struct PageRequest {
    int limit = 50;
    int offset = 0;
};

enum class ConversationFilter { open, closed, all };

// The filter as API.md spells it (`status=open|closed|all`); for open and closed also the stored status.
constexpr const char* to_string(ConversationFilter filter) noexcept {
    switch (filter) {
        case ConversationFilter::closed: return "closed";
        case ConversationFilter::all: return "all";
        case ConversationFilter::open: break;
    }
    return "open";
}

// `before` of the message list: strictly older than a time, or than a message of the same conversation.
struct MessageCursor {
    std::optional<TimePoint> before_time;
    std::optional<std::string> before_message_id;  // a lower-case UUID
};

}  // namespace inbox::domain
