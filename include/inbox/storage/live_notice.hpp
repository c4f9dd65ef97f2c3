#pragma once
// What a committed transaction changed, told to every server instance through Postgres NOTIFY so each can push it
// to its own SSE clients. NOTIFY is transactional: instances hear of a change exactly when it commits, never for a
// rollback. The payload carries ids only (NOTIFY payloads are limited to 8000 bytes); listeners load the resources.
#include "inbox/storage/db_connection.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace inbox::storage {

inline constexpr std::string_view kLiveChannel = "inbox_live";

struct LiveNotice {
    std::string account_id;
    std::vector<std::string> created_message_ids;
    std::vector<std::string> updated_message_ids;
    std::vector<std::string> conversation_ids;
    // The transaction queued background jobs (media downloads): job runners should claim now, not at their next poll.
    bool jobs_queued = false;

    bool empty() const {
        return created_message_ids.empty() && updated_message_ids.empty() && conversation_ids.empty();
    }
};

// Members removed from an account (migration 0010): their event streams of that account end. `users` holds "*"
// when the removal was too large to list (each stream then checks its own membership).
struct MembershipNotice {
    std::string account_id;
    std::vector<std::string> users;
};
std::optional<MembershipNotice> decode_membership_notice(std::string_view payload);

// The payloads of a notice: one, or several when the ids would not fit in one NOTIFY.
std::vector<std::string> encode_live_notice(const LiveNotice& notice);
// nullopt for a payload that is not a notice (another writer on the channel, a newer format).
std::optional<LiveNotice> decode_live_notice(std::string_view payload);
// Notices heard in commit order, folded into one per account (accounts in the order they first appear, each id
// once, in the order first seen): what a listener that fell behind loads in one go.
std::vector<LiveNotice> merge_by_account(const std::vector<LiveNotice>& notices);
// Senders: webhook processing NOTIFYs the payloads with the statement that marks its batch done
// (WebhookEventRepository::finish), mark-read with its UPDATE (InboxRepository).

}  // namespace inbox::storage
