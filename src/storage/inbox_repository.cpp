#include "inbox/storage/inbox_repository.hpp"

#include "inbox/storage/live_notice.hpp"

#include "inbox/storage/db_pool.hpp"
#include "inbox/storage/pg_array.hpp"
#include "message_rows.hpp"
#include "pg_fields.hpp"

namespace inbox::storage {
namespace {

// The conversation columns in the order read_conversation expects (c = conversations, ct = contacts).
#define INBOX_CONVERSATION_COLUMNS \
    "c.id::text AS id, c.account_id::text AS account_id, ct.id::text AS contact_id, ct.wa_id AS contact_wa_id," \
    " coalesce(ct.name, ct.profile_name) AS contact_name, c.status AS status, c.unread_count AS unread_count, " \
    INBOX_PG_MICROS("c.last_message_at") " AS last_message_at, c.last_message_preview AS last_message_preview, " \
    INBOX_PG_MICROS("c.last_inbound_at") " AS last_inbound_at"

// The list: the member CTE is empty for a non-member, so the outer LEFT JOIN yields no row at all (→ 404), while a
// member with no conversations gets one row of NULLs. `status_condition` must leave $1..$4 in use.
// The page version rides along (last column), read in the page's snapshot: the sum of the scope's rows
// (migration 0008).
#define INBOX_ACCOUNT_PAGE_VERSION "(SELECT coalesce(sum(v.version), 0) FROM page_versions v WHERE v.scope = $2::uuid)"
#define INBOX_CONVERSATION_PAGE_VERSION "(SELECT coalesce(sum(v.version), 0) FROM page_versions v WHERE v.scope = c.id)"
#define INBOX_LIST_CONVERSATIONS(status_condition)                                              \
    "WITH member AS MATERIALIZED ("                                                             \
    "    SELECT account_id, " INBOX_ACCOUNT_PAGE_VERSION " AS page_version"                     \
    "    FROM account_members WHERE user_id = $1 AND account_id = $2::uuid),"                   \
    " page AS ("                                                                                \
    "    SELECT " INBOX_CONVERSATION_COLUMNS                                                    \
    ", c.last_message_at AS sort_at, c.id AS sort_id"                                           \
    "    FROM conversations c"                                                                  \
    "    JOIN member m ON m.account_id = c.account_id"                                          \
    "    JOIN contacts ct ON ct.id = c.contact_id"                                              \
    "    WHERE c.account_id = $2::uuid" status_condition                                        \
    "    ORDER BY c.last_message_at DESC NULLS LAST, c.id LIMIT $3 OFFSET $4)"                  \
    " SELECT page.*, member.page_version FROM member LEFT JOIN page ON true"                     \
    " ORDER BY page.sort_at DESC NULLS LAST, page.sort_id"

constexpr Query kListConversationsByStatus{"inbox_list_conversations_by_status",
                                           INBOX_LIST_CONVERSATIONS(" AND c.status = $5")};
constexpr Query kListConversationsAll{"inbox_list_conversations_all", INBOX_LIST_CONVERSATIONS("")};

// The page cache's checks: one row (the version) when visible to the user, none otherwise.
constexpr Query kConversationListVersion{
    "inbox_conversation_list_version",
    "SELECT " INBOX_ACCOUNT_PAGE_VERSION " FROM account_members WHERE user_id = $1 AND account_id = $2::uuid"};
constexpr Query kMessagePageVersion{
    "inbox_message_page_version",
    "SELECT " INBOX_CONVERSATION_PAGE_VERSION " FROM conversations c"
    " JOIN account_members mb ON mb.account_id = c.account_id AND mb.user_id = $1"
    " WHERE c.id = $2::uuid"};

// Column 0: the user's account ids (for the membership cache); then the conversation, NULLs when not visible.
constexpr Query kFindConversation{
    "inbox_find_conversation",
    "SELECT " INBOX_CONVERSATION_COLUMNS
    " FROM conversations c"
    " JOIN account_members m ON m.account_id = c.account_id AND m.user_id = $1"
    " JOIN contacts ct ON ct.id = c.contact_id"
    " WHERE c.id = $2::uuid"};

// The NOTIFY (storage/live_notice.hpp) rides in the same statement: every instance's live clients hear of the
// read exactly when it commits.
constexpr Query kMarkRead{
    "inbox_mark_read",
    "WITH updated AS ("
    " UPDATE conversations c SET unread_count = 0, updated_at = now()"
    " FROM account_members m, contacts ct"
    " WHERE c.id = $2::uuid AND m.account_id = c.account_id AND m.user_id = $1 AND ct.id = c.contact_id"
    " RETURNING " INBOX_CONVERSATION_COLUMNS
    ") SELECT updated.*, pg_notify($3, json_build_object('account_id', updated.account_id,"
    "                                                   'conversations', json_build_array(updated.id))::text),"
    " (SELECT a.read_receipts = 'on_open' FROM accounts a WHERE a.id = updated.account_id::uuid)"
    " FROM updated"};

// A page of one conversation's messages. The conversation CTE carries the membership check: no row at all when the
// conversation is not visible to the user (→ 404). Column 0 says whether the cursor was found; the page follows
// (NULLs for an empty page). The reply's message id is resolved by the unique (account_id, wa_message_id) index.
// `extra_ctes` may define more CTEs (starting with a comma); `cursor_condition` narrows the page.
#define INBOX_MESSAGE_PAGE(extra_ctes, cursor_condition, cursor_found)                                       \
    "WITH conv AS MATERIALIZED ("                                                                            \
    "    SELECT c.id, " INBOX_CONVERSATION_PAGE_VERSION " AS page_version FROM conversations c"              \
    "    JOIN account_members mb ON mb.account_id = c.account_id AND mb.user_id = $1"                        \
    "    WHERE c.id = $2::uuid)" extra_ctes                                                                  \
    ", page AS ("                                                                                            \
    "    SELECT " INBOX_MESSAGE_COLUMNS                                                                      \
    ", m.timestamp AS sort_at, m.id AS sort_id"                                                              \
    "    FROM messages m"                                                                                    \
    INBOX_MESSAGE_REPLY_JOIN                                                                             \
    "    WHERE m.conversation_id = (SELECT id FROM conv)" cursor_condition                                   \
    "    ORDER BY m.timestamp DESC, m.id DESC LIMIT $3 OFFSET $4)"                                           \
    " SELECT " cursor_found                                                                                  \
    " AS cursor_found, page.*, conv.page_version FROM conv LEFT JOIN page ON true"                          \
    " ORDER BY page.sort_at DESC, page.sort_id DESC"

constexpr Query kMessagePage{"inbox_message_page", INBOX_MESSAGE_PAGE("", "", "true")};
constexpr Query kMessagePageBeforeTime{"inbox_message_page_before_time",
                                       INBOX_MESSAGE_PAGE("", " AND m.timestamp < $5::timestamptz", "true")};
// Strictly older than the cursor message by (timestamp, id); the plain timestamp bound lets the index range-scan.
constexpr Query kMessagePageBeforeMessage{
    "inbox_message_page_before_message",
    INBOX_MESSAGE_PAGE(", ref AS MATERIALIZED (SELECT r.timestamp, r.id FROM messages r"
                       "    WHERE r.id = $5::uuid AND r.conversation_id = (SELECT id FROM conv))",
                       " AND m.timestamp <= (SELECT ref.timestamp FROM ref)"
                       " AND (m.timestamp, m.id) < (SELECT ref.timestamp, ref.id FROM ref)",
                       "EXISTS (SELECT 1 FROM ref)")};

// Live updates (not a caller's request): scoped by the account the change belongs to.
constexpr Query kMessagesByIds{
    "inbox_messages_by_ids",
    "SELECT " INBOX_MESSAGE_COLUMNS
    " FROM messages m" INBOX_MESSAGE_REPLY_JOIN
    " WHERE m.account_id = $1::uuid AND m.id = ANY($2::uuid[])"
    " ORDER BY m.timestamp, m.id"};
constexpr Query kConversationsByIds{"inbox_conversations_by_ids",
                                    "SELECT " INBOX_CONVERSATION_COLUMNS
                                    " FROM conversations c JOIN contacts ct ON ct.id = c.contact_id"
                                    " WHERE c.account_id = $1::uuid AND c.id = ANY($2::uuid[])"
                                    " ORDER BY c.id"};

#undef INBOX_MESSAGE_PAGE
#undef INBOX_LIST_CONVERSATIONS
#undef INBOX_CONVERSATION_COLUMNS
#undef INBOX_ACCOUNT_PAGE_VERSION
#undef INBOX_CONVERSATION_PAGE_VERSION

// Reads the conversation columns starting at `first`.
domain::Conversation read_conversation(const pqxx::row& row, pqxx::row::size_type first) {
    domain::Conversation conversation;
    conversation.id = row[first].as<std::string>();
    conversation.account_id = row[first + 1].as<std::string>();
    conversation.contact = {row[first + 2].as<std::string>(), row[first + 3].as<std::string>(),
                            optional_text(row[first + 4])};
    conversation.status = row[first + 5].as<std::string>();
    conversation.unread_count = row[first + 6].as<int>();
    conversation.last_message_at = optional_time_from_micros(row[first + 7]);
    conversation.last_message_preview = optional_text(row[first + 8]);
    conversation.last_inbound_at = optional_time_from_micros(row[first + 9]);
    return conversation;
}


std::optional<ConversationPage> conversation_page(const pqxx::result& result, int limit) {
    if (result.empty()) return std::nullopt;  // not a member
    ConversationPage page;
    page.version = result[0][result.columns() - 1].as<PageVersion>();
    for (const auto& row : result) {
        if (row[0].is_null()) continue;  // a member's empty page
        if (static_cast<int>(page.rows.size()) == limit) {
            page.has_more = true;
            break;
        }
        page.rows.push_back(read_conversation(row, 0));
    }
    return page;
}

MessagePage message_page(const pqxx::result& result, int limit) {
    MessagePage page;
    if (result.empty()) return page;  // conversation_not_found
    if (!result[0][0].as<bool>()) {
        page.outcome = MessagePage::Outcome::cursor_not_found;
        return page;
    }
    page.outcome = MessagePage::Outcome::found;
    page.version = result[0][result.columns() - 1].as<PageVersion>();
    for (const auto& row : result) {
        if (row[1].is_null()) continue;  // an empty page
        if (static_cast<int>(page.rows.size()) == limit) {
            page.has_more = true;
            break;
        }
        page.rows.push_back(read_message(row, 1));
    }
    return page;
}

}  // namespace

// None of these is a coroutine, on purpose: GCC 12 miscompiles init-captures of coroutine parameters
// (docs/ARCHITECTURE.md). Each fetches limit + 1 rows to tell whether there is more.
boost::asio::awaitable<std::optional<ConversationPage>> InboxRepository::list_conversations(
    std::string user_id, std::string account_id, domain::ConversationFilter filter, domain::PageRequest page) {
    const bool replica = on_replica(user_id);
    return read(
        replica, [user_id = std::move(user_id), account_id = std::move(account_id), filter, page](DbConnection& db) {
            pqxx::nontransaction tx(db.raw());
            auto result = filter == domain::ConversationFilter::all
                              ? db.exec(tx, kListConversationsAll, user_id, account_id, page.limit + 1, page.offset)
                              : db.exec(tx, kListConversationsByStatus, user_id, account_id, page.limit + 1,
                                        page.offset, std::string(domain::to_string(filter)));
            return conversation_page(result, page.limit);
        });
}

namespace {
std::optional<PageVersion> version_of(const pqxx::result& result) {
    if (result.empty()) return std::nullopt;
    return result[0][0].as<PageVersion>();
}
}  // namespace

boost::asio::awaitable<std::optional<PageVersion>> InboxRepository::conversation_list_version(std::string user_id,
                                                                                             std::string account_id) {
    const bool replica = on_replica(user_id);
    return read(replica, [user_id = std::move(user_id), account_id = std::move(account_id)](DbConnection& db) {
        pqxx::nontransaction tx(db.raw());
        return version_of(db.exec(tx, kConversationListVersion, user_id, account_id));
    });
}

boost::asio::awaitable<std::optional<PageVersion>> InboxRepository::message_page_version(std::string user_id,
                                                                                        std::string conversation_id) {
    const bool replica = on_replica(user_id);
    return read(replica, [user_id = std::move(user_id), conversation_id = std::move(conversation_id)](DbConnection& db) {
        pqxx::nontransaction tx(db.raw());
        return version_of(db.exec(tx, kMessagePageVersion, user_id, conversation_id));
    });
}

boost::asio::awaitable<std::optional<domain::Conversation>> InboxRepository::find_conversation(
    std::string user_id, std::string conversation_id) {
    return lane_.run([user_id = std::move(user_id), conversation_id = std::move(conversation_id)](
                         DbConnection& db) -> std::optional<domain::Conversation> {
        pqxx::nontransaction tx(db.raw());
        auto result = db.exec(tx, kFindConversation, user_id, conversation_id);
        if (result.empty()) return std::nullopt;
        return read_conversation(result[0], 0);
    });
}

boost::asio::awaitable<MessagePage> InboxRepository::list_messages(std::string user_id, std::string conversation_id,
                                                                   domain::MessageCursor cursor,
                                                                   domain::PageRequest page) {
    const bool replica = on_replica(user_id);
    return read(replica, [user_id = std::move(user_id), conversation_id = std::move(conversation_id),
                          cursor = std::move(cursor), page](DbConnection& db) {
        pqxx::nontransaction tx(db.raw());
        const int fetch = page.limit + 1;
        pqxx::result result;
        if (cursor.before_message_id) {
            result = db.exec(tx, kMessagePageBeforeMessage, user_id, conversation_id, fetch, page.offset,
                             *cursor.before_message_id);
        } else if (cursor.before_time) {
            result = db.exec(tx, kMessagePageBeforeTime, user_id, conversation_id, fetch, page.offset,
                             to_pg_timestamp_ceil(*cursor.before_time));
        } else {
            result = db.exec(tx, kMessagePage, user_id, conversation_id, fetch, page.offset);
        }
        return message_page(result, page.limit);
    });
}

boost::asio::awaitable<std::optional<MarkedRead>> InboxRepository::mark_read(std::string user_id,
                                                                                       std::string conversation_id) {
    return lane_.run([user_id = std::move(user_id), conversation_id = std::move(conversation_id)](
                         DbConnection& db) -> std::optional<MarkedRead> {
        pqxx::nontransaction tx(db.raw());  // one autocommitted statement: no BEGIN/COMMIT round trips
        auto result = db.exec(tx, kMarkRead, user_id, conversation_id, std::string(kLiveChannel));
        if (result.empty()) return std::nullopt;
        const auto& row = result[0];
        return MarkedRead{read_conversation(row, 0), row[row.size() - 1].as<bool>()};
    });
}

}  // namespace inbox::storage

namespace inbox::storage {

boost::asio::awaitable<std::vector<domain::Message>> InboxRepository::messages_by_ids(std::string account_id,
                                                                                      std::vector<std::string> ids) {
    return lane_.run([account_id = std::move(account_id), ids = std::move(ids)](DbConnection& db) {
        std::vector<domain::Message> messages;
        if (ids.empty()) return messages;
        pqxx::nontransaction tx(db.raw());
        for (const auto& row : db.exec(tx, kMessagesByIds, account_id, to_pg_text_array(ids))) {
            messages.push_back(read_message(row, 0));
        }
        return messages;
    });
}

boost::asio::awaitable<std::vector<domain::Conversation>> InboxRepository::conversations_by_ids(
    std::string account_id, std::vector<std::string> ids) {
    return lane_.run([account_id = std::move(account_id), ids = std::move(ids)](DbConnection& db) {
        std::vector<domain::Conversation> conversations;
        if (ids.empty()) return conversations;
        pqxx::nontransaction tx(db.raw());
        for (const auto& row : db.exec(tx, kConversationsByIds, account_id, to_pg_text_array(ids))) {
            conversations.push_back(read_conversation(row, 0));
        }
        return conversations;
    });
}

}  // namespace inbox::storage
