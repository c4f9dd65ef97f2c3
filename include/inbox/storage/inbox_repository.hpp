#pragma once
// The inbox reads (conversation list, one conversation, message pages) and marking a conversation read. Every
// statement scopes by the caller's membership itself (account_members joined in the same SQL), so an object of
// another account is indistinguishable from a missing one. One statement per call.
#include "inbox/storage/db_lane.hpp"
#include "inbox/storage/read_replica.hpp"
#include <boost/asio/awaitable.hpp>
#include <exception>
#include <memory>
#include <type_traits>
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

struct MessagePage {
    enum class Outcome { found, conversation_not_found, cursor_not_found };
    Outcome outcome = Outcome::conversation_not_found;
    std::vector<domain::Message> rows;  // newest first
    bool has_more = false;
    PageVersion version = 0;  // the conversation's page version, read by the same statement
};

// A conversation just marked read, and whether its account sends read receipts when a conversation is opened
// (read in the same statement, so the `on_open` policy costs nothing to the others).
struct MarkedRead {
    domain::Conversation conversation;
    bool receipt_on_open = false;
};

class InboxRepository {
public:
    // With `replica`, the list reads (pages and their versions) go to it whenever ReadReplica::use_for allows,
    // and to the primary otherwise or when the replica fails them.
    explicit InboxRepository(DbPool& pool, ReadReplica* replica = nullptr)
        : lane_(pool, "inbox_reads"),
          replica_(replica),
          replica_lane_(replica ? std::make_unique<DbLane>(replica->pool(), "inbox_reads_replica") : nullptr) {}

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

    // nullopt: missing, or not in one of the user's accounts.
    boost::asio::awaitable<std::optional<domain::Conversation>> find_conversation(std::string user_id,
                                                                                  std::string conversation_id);

    // Newest first (timestamp, then id, descending); `offset` counts from the cursor.
    boost::asio::awaitable<MessagePage> list_messages(std::string user_id, std::string conversation_id,
                                                      domain::MessageCursor cursor, domain::PageRequest page);

    // unread_count = 0; answers the updated conversation, nullopt when not found for this user.
    boost::asio::awaitable<std::optional<MarkedRead>> mark_read(std::string user_id, std::string conversation_id);

    // For live updates (SSE), which are scoped by account when subscribed rather than per request: the given
    // objects of `account_id` (ids of other accounts are skipped). Messages oldest first.
    boost::asio::awaitable<std::vector<domain::Message>> messages_by_ids(std::string account_id,
                                                                         std::vector<std::string> ids);
    boost::asio::awaitable<std::vector<domain::Conversation>> conversations_by_ids(std::string account_id,
                                                                                   std::vector<std::string> ids);

private:
    // Routed before the call's arguments are moved into its lambda.
    bool on_replica(const std::string& user_id) const { return replica_ && replica_->use_for(user_id); }

    template <typename Fn>
    auto read(bool on_replica, Fn fn) {
        using Result = std::invoke_result_t<Fn&, DbConnection&>;
        return on_replica ? replica_first<Result>(*replica_lane_, lane_, *replica_, std::move(fn))
                          : lane_.run(std::move(fn));
    }

    // A replica that fails a read (down, a recovery conflict) costs that read a second try on the primary.
    template <typename Result, typename Fn>
    static boost::asio::awaitable<Result> replica_first(DbLane& replica_lane, DbLane& primary_lane,
                                                        ReadReplica& replica, Fn fn) {
        std::string failure;
        try {
            co_return co_await replica_lane.run(fn);
        } catch (const std::exception& error) {
            failure = error.what();
        }
        replica.report_failure(failure);
        co_return co_await primary_lane.run(std::move(fn));
    }

    DbLane lane_;
    ReadReplica* replica_;
    std::unique_ptr<DbLane> replica_lane_;
};

}  // namespace inbox::storage
