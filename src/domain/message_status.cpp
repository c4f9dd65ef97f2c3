#include "inbox/domain/message_status.hpp"

#include <array>
#include <utility>

namespace inbox::domain {
namespace {

constexpr std::array<std::pair<MessageStatus, std::string_view>, 6> kNames{{
    {MessageStatus::received, "received"},
    {MessageStatus::pending, "pending"},
    {MessageStatus::sent, "sent"},
    {MessageStatus::failed, "failed"},
    {MessageStatus::delivered, "delivered"},
    {MessageStatus::read, "read"},
}};

}  // namespace

std::optional<MessageStatus> parse_status(std::string_view text) {
    for (const auto& [status, name] : kNames) {
        if (name == text) return status;
    }
    return std::nullopt;
}

std::string_view to_string(MessageStatus status) {
    for (const auto& [candidate, name] : kNames) {
        if (candidate == status) return name;
    }
    return "unknown";
}

int rank(MessageStatus status) {
    switch (status) {
        case MessageStatus::received:
            return 0;
        case MessageStatus::pending:
            return 1;
        case MessageStatus::sent:
            return 2;
        case MessageStatus::failed:
            return 3;
        case MessageStatus::delivered:
            return 4;
        case MessageStatus::read:
            return 5;
    }
    return 0;
}

bool status_advances(MessageStatus current, MessageStatus incoming) {
    if (current == MessageStatus::received || incoming == MessageStatus::received) return false;
    return rank(incoming) > rank(current);
}

}  // namespace inbox::domain
