#pragma once
// The inbox reads and "mark read". Authorisation lives in the repository's SQL (membership in every statement).
// A single conversation is always read from Postgres; list pages are answered from the exact page cache
// (page_cache.hpp) after a membership-scoped version check in Postgres.
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "inbox/domain/conversation.hpp"
#include "inbox/domain/free_window.hpp"
#include "inbox/domain/inbox_query.hpp"
#include "inbox/services/page_cache.hpp"
#include "inbox/storage/inbox_repository.hpp"

namespace inbox::cache {
class Cache;
}
namespace inbox::observability {
class Counter;
class MetricsRegistry;
}  // namespace inbox::observability

namespace inbox::services {

// A conversation as answered: the stored facts plus the free window computed at answer time.
struct ConversationView {
    domain::Conversation conversation;
    domain::FreeWindow free_window;
};

struct ConversationList {
    std::vector<ConversationView> rows;
    bool has_more = false;
    storage::PageVersion version = 0;
};

// The answer bodies are written by the api layer; the service only keeps them. Plain function pointers: nothing is
// captured, so nothing can dangle across the coroutine's suspensions.
using ConversationListRenderer = std::string (*)(const ConversationList&, const domain::PageRequest&);
using MessagePageRenderer = std::string (*)(const storage::MessagePage&, const domain::PageRequest&);

struct MessagePageAnswer {
    storage::MessagePage::Outcome outcome = storage::MessagePage::Outcome::conversation_not_found;
    PageBody body;  // set when found
};

class InboxService {
public:
    using Clock = std::function<domain::TimePoint()>;

    InboxService(storage::InboxRepository& repository, cache::Cache& cache,
                 Clock clock = [] { return std::chrono::system_clock::now(); },
                 std::size_t page_cache_bytes = kDefaultPageCacheBytes);

    // Counts page cache outcomes (inbox_page_cache_total{page, outcome}) and exposes its size.
    void attach_metrics(observability::MetricsRegistry& metrics);

    // Called after a successful mark_read in an account whose read-receipt policy is `on_open`.
    using ReadHook = std::function<void(const std::string& user_id, const std::string& conversation_id)>;
    void on_read(ReadHook hook) { on_read_ = std::move(hook); }

    // The rendered conversation list page: from the page cache when its version is current, else read (page and
    // version in one statement), rendered and kept. nullopt: not a member.
    boost::asio::awaitable<std::optional<PageBody>> conversation_list_page(std::string user_id,
                                                                           std::string account_id,
                                                                           domain::ConversationFilter filter,
                                                                           domain::PageRequest page,
                                                                           ConversationListRenderer render);

    // The rendered message page, the same way; `outcome` says why there is no body.
    boost::asio::awaitable<MessagePageAnswer> message_page(std::string user_id, std::string conversation_id,
                                                           domain::MessageCursor cursor, domain::PageRequest page,
                                                           MessagePageRenderer render);

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

    // Sets unread_count to 0; the same statement NOTIFYs live clients (conversation.updated)
    // on every instance. nullopt: not found.
    boost::asio::awaitable<std::optional<ConversationView>> mark_read(std::string user_id, std::string conversation_id);

    const PageCache& page_cache() const noexcept { return pages_; }

private:
    enum class PageOutcome { hit, stale, miss };
    struct PageCounters {
        observability::Counter* hit = nullptr;
        observability::Counter* stale = nullptr;
        observability::Counter* miss = nullptr;
        void count(PageOutcome outcome) const;
    };

    ConversationView view_of(domain::Conversation conversation) const;

    storage::InboxRepository& repository_;
    cache::Cache& cache_;
    Clock clock_;
    PageCache pages_;
    ReadHook on_read_;
    PageCounters conversation_pages_;
    PageCounters message_pages_;
};

}  // namespace inbox::services
