#pragma once
// The inbox reads and "mark read". Authorisation lives in the repository's SQL (membership in every statement);
// the one read served from the cache, a single conversation, is authorised from the cache only when the
// per-user membership cache confirms the user belongs to the conversation's account (see conversation()).
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "inbox/domain/conversation.hpp"
#include "inbox/domain/free_window.hpp"
#include "inbox/domain/inbox_query.hpp"
#include "inbox/storage/inbox_repository.hpp"

namespace inbox::cache {
class Cache;
}

namespace inbox::services {

// A conversation as answered: the stored facts plus the free window computed at answer time.
struct ConversationView {
    domain::Conversation conversation;
    domain::FreeWindow free_window;
};

struct ConversationList {
    std::vector<ConversationView> rows;
    bool has_more = false;
};

inline constexpr std::chrono::minutes kConversationCacheTtl{10};
// Bounds how long a revoked membership can still read cached conversations.
inline constexpr std::chrono::seconds kMembershipCacheTtl{60};

class InboxService {
public:
    using Clock = std::function<domain::TimePoint()>;

    InboxService(storage::InboxRepository& repository, cache::Cache& cache,
                 Clock clock = [] { return std::chrono::system_clock::now(); });

    // nullopt: the account does not exist or the user is not a member.
    boost::asio::awaitable<std::optional<ConversationList>> list_conversations(std::string user_id,
                                                                               std::string account_id,
                                                                               domain::ConversationFilter filter,
                                                                               domain::PageRequest page);

    // nullopt: not found for this user.
    boost::asio::awaitable<std::optional<ConversationView>> conversation(std::string user_id,
                                                                         std::string conversation_id);

    boost::asio::awaitable<storage::MessagePage> messages(std::string user_id, std::string conversation_id,
                                                          domain::MessageCursor cursor, domain::PageRequest page);

    // Sets unread_count to 0 and drops the cached row; the same statement NOTIFYs live clients (conversation.updated)
    // on every instance. nullopt: not found.
    boost::asio::awaitable<std::optional<ConversationView>> mark_read(std::string user_id, std::string conversation_id);

private:
    ConversationView view_of(domain::Conversation conversation) const;

    storage::InboxRepository& repository_;
    cache::Cache& cache_;
    Clock clock_;
};

}  // namespace inbox::services
