#pragma once
// The inbox reads (conversation list, one conversation, message pages) and marking a conversation read. Every
// statement scopes by the caller's membership itself (account_members joined in the same SQL), so an object of
// another account is indistinguishable from a missing one. One statement per call.
#include "inbox/storage/db_lane.hpp"
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "inbox/domain/conversation.hpp"
#include "inbox/domain/inbox_query.hpp"
#include "inbox/domain/message.hpp"

namespace inbox::storage {

class DbPool;

// `version`: the account's page version (migration 0006) read by the same statement, so in the same snapshot.
using PageVersion = std::int64_t;

struct ConversationPage {
    std::vector<domain::Conversation> rows;
    bool has_more = false;
    PageVersion version = 0;
};

// One conversation looked up for a user, plus every account the user belongs to (the membership cache's value,
// fetched by the same statement).
struct ConversationLookup {
    std::vector<std::string> member_account_ids;
    std::optional<domain::Conversation> conversation;  // empty: missing, or not in one of the user's accounts
};

struct MessagePage {
    enum class Outcome { found, conversation_not_found, cursor_not_found };
    Outcome outcome = Outcome::conversation_not_found;
    std::vector<domain::Message> rows;  // newest first
    bool has_more = false;
    PageVersion version = 0;  // the conversation's page version, read by the same statement
};

class InboxRepository {
public:
    explicit InboxRepository(DbPool& pool) : lane_(pool, "inbox_reads") {}

    // nullopt when the user is not a member of the account (or it does not exist). Ids must be UUIDs.
    boost::asio::awaitable<std::optional<ConversationPage>> list_conversations(std::string user_id,
                                                                               std::string account_id,
                                                                               domain::ConversationFilter filter,
                                                                               domain::PageRequest page);

    // The current page versions alone (the page cache's check), with the same membership scoping: nullopt when the
    // account or conversation is not visible to the user.
    boost::asio::awaitable<std::optional<PageVersion>> conversation_list_version(std::string user_id,
                                                                                 std::string account_id);
    boost::asio::awaitable<std::optional<PageVersion>> message_page_version(std::string user_id,
                                                                            std::string conversation_id);

    boost::asio::awaitable<ConversationLookup> find_conversation(std::string user_id, std::string conversation_id);

    // Newest first (timestamp, then id, descending); `offset` counts from the cursor.
    boost::asio::awaitable<MessagePage> list_messages(std::string user_id, std::string conversation_id,
                                                      domain::MessageCursor cursor, domain::PageRequest page);

    // unread_count = 0; answers the updated conversation, nullopt when not found for this user.
    boost::asio::awaitable<std::optional<domain::Conversation>> mark_read(std::string user_id,
                                                                          std::string conversation_id);

    // For live updates (SSE), which are scoped by account when subscribed rather than per request: the given
    // objects of `account_id` (ids of other accounts are skipped). Messages oldest first.
    boost::asio::awaitable<std::vector<domain::Message>> messages_by_ids(std::string account_id,
                                                                         std::vector<std::string> ids);
    boost::asio::awaitable<std::vector<domain::Conversation>> conversations_by_ids(std::string account_id,
                                                                                   std::vector<std::string> ids);

private:
    DbLane lane_;
};

}  // namespace inbox::storage
