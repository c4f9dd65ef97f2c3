#pragma once
// A conversation row as the inbox reads it, with the few contact fields the API embeds. This is also what the
// `conversation:{id}` cache holds: facts only (no free-window boolean, which depends on the time of the answer).
#include <optional>
#include <string>

#include "inbox/domain/time.hpp"

namespace inbox::domain {

struct ConversationContact {
    std::string id;
    std::string wa_id;
    std::optional<std::string> name;  // the agent-set name, else the WhatsApp profile name

    bool operator==(const ConversationContact&) const = default;
};

struct Conversation {
    std::string id;
    std::string account_id;
    ConversationContact contact;
    std::string status;  // "open" | "closed"
    int unread_count = 0;
    std::optional<TimePoint> last_message_at;
    std::optional<std::string> last_message_preview;
    std::optional<TimePoint> last_inbound_at;

    bool operator==(const Conversation&) const = default;
};

}  // namespace inbox::domain
