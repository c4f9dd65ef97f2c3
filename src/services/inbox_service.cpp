#include "inbox/services/inbox_service.hpp"

#include <algorithm>

#include "inbox/cache/cache.hpp"
#include "inbox/observability/metrics.hpp"
#include "inbox/services/inbox_cache_keys.hpp"

namespace inbox::services {
namespace {

// Page cache keys: everything that selects the page's rows. Not the user: membership is checked by every version
// read, and the page itself is the same for every member.
std::string conversation_list_key(const std::string& account_id, domain::ConversationFilter filter,
                                  const domain::PageRequest& page) {
    return "c/" + account_id + "/" + domain::to_string(filter) + "/" + std::to_string(page.limit) + "/" +
           std::to_string(page.offset);
}

std::string message_page_key(const std::string& conversation_id, const domain::MessageCursor& cursor,
                             const domain::PageRequest& page) {
    auto key = "m/" + conversation_id + "/" + std::to_string(page.limit) + "/" + std::to_string(page.offset) + "/";
    if (cursor.before_message_id) {
        key += "id:" + *cursor.before_message_id;
    } else if (cursor.before_time) {
        const auto micros =
            std::chrono::duration_cast<std::chrono::microseconds>(cursor.before_time->time_since_epoch()).count();
        key += "t:" + std::to_string(micros);
    }
    return key;
}

// A list shows whether each window is open: the rendered page is good until the first open window closes.
domain::TimePoint valid_until_of(const ConversationList& list) {
    auto until = domain::TimePoint::max();
    for (const auto& row : list.rows) {
        if (row.free_window.open && row.free_window.expires_at) until = std::min(until, *row.free_window.expires_at);
    }
    return until;
}

}  // namespace

InboxService::InboxService(storage::InboxRepository& repository, cache::Cache& cache, Clock clock,
                           std::size_t page_cache_bytes)
    : repository_(repository), cache_(cache), clock_(std::move(clock)), pages_(page_cache_bytes) {}

void InboxService::attach_metrics(observability::MetricsRegistry& metrics) {
    constexpr std::string_view kName = "inbox_page_cache_total";
    constexpr std::string_view kHelp = "Inbox list pages by page cache outcome (hit: answered from memory after a "
                                       "version check; stale: version moved on; miss: not held)";
    for (auto [counters, page] : {std::pair{&conversation_pages_, "conversations"}, {&message_pages_, "messages"}}) {
        counters->hit = &metrics.counter(kName, kHelp, {{"page", page}, {"outcome", "hit"}});
        counters->stale = &metrics.counter(kName, kHelp, {{"page", page}, {"outcome", "stale"}});
        counters->miss = &metrics.counter(kName, kHelp, {{"page", page}, {"outcome", "miss"}});
    }
    metrics.gauge_callback("inbox_page_cache_bytes", "Bytes held by the inbox page cache", {},
                           [this] { return static_cast<double>(pages_.bytes()); });
}

void InboxService::PageCounters::count(PageOutcome outcome) const {
    auto* counter = outcome == PageOutcome::hit ? hit : outcome == PageOutcome::stale ? stale : miss;
    if (counter) counter->inc();
}

ConversationView InboxService::view_of(domain::Conversation conversation) const {
    auto window = domain::free_window(conversation.last_inbound_at, clock_());
    return {std::move(conversation), window};
}

boost::asio::awaitable<std::optional<ConversationList>> InboxService::list_conversations(
    std::string user_id, std::string account_id, domain::ConversationFilter filter, domain::PageRequest page) {
    auto stored = co_await repository_.list_conversations(std::move(user_id), std::move(account_id), filter, page);
    if (!stored) co_return std::nullopt;
    ConversationList list;
    list.has_more = stored->has_more;
    list.version = stored->version;
    for (auto& row : stored->rows) list.rows.push_back(view_of(std::move(row)));
    co_return list;
}

// Always from Postgres (one statement, membership in it): exact, and a revoked membership counts at once.
boost::asio::awaitable<std::optional<ConversationView>> InboxService::conversation(std::string user_id,
                                                                                   std::string conversation_id) {
    auto row = co_await repository_.find_conversation(std::move(user_id), std::move(conversation_id));
    if (!row) co_return std::nullopt;
    co_return view_of(std::move(*row));
}

boost::asio::awaitable<storage::MessagePage> InboxService::messages(std::string user_id, std::string conversation_id,
                                                                    domain::MessageCursor cursor,
                                                                    domain::PageRequest page) {
    co_return co_await repository_.list_messages(std::move(user_id), std::move(conversation_id), std::move(cursor),
                                                 page);
}

// A held page costs one small statement (its version, with the membership check) instead of the page's query and
// its rendering; a page not held costs exactly what it did without the cache (the version rides in the page's
// statement). Only a held page whose version moved costs both.
boost::asio::awaitable<std::optional<PageBody>> InboxService::conversation_list_page(std::string user_id,
                                                                                     std::string account_id,
                                                                                     domain::ConversationFilter filter,
                                                                                     domain::PageRequest page,
                                                                                     ConversationListRenderer render) {
    auto key = conversation_list_key(account_id, filter, page);
    if (auto cached = pages_.find(key, clock_())) {
        auto current = co_await repository_.conversation_list_version(user_id, account_id);
        if (!current) co_return std::nullopt;
        if (*current == cached->version) {
            conversation_pages_.count(PageOutcome::hit);
            co_return cached->body;
        }
        conversation_pages_.count(PageOutcome::stale);
    } else {
        conversation_pages_.count(PageOutcome::miss);
    }
    auto list = co_await list_conversations(std::move(user_id), std::move(account_id), filter, page);
    if (!list) co_return std::nullopt;
    auto body = std::make_shared<const std::string>(render(*list, page));
    pages_.store(std::move(key), CachedPage{list->version, valid_until_of(*list), body});
    co_return body;
}

boost::asio::awaitable<MessagePageAnswer> InboxService::message_page(std::string user_id,
                                                                     std::string conversation_id,
                                                                     domain::MessageCursor cursor,
                                                                     domain::PageRequest page,
                                                                     MessagePageRenderer render) {
    using Outcome = storage::MessagePage::Outcome;
    auto key = message_page_key(conversation_id, cursor, page);
    if (auto cached = pages_.find(key, clock_())) {
        auto current = co_await repository_.message_page_version(user_id, conversation_id);
        if (!current) co_return MessagePageAnswer{Outcome::conversation_not_found, nullptr};
        if (*current == cached->version) {
            message_pages_.count(PageOutcome::hit);
            co_return MessagePageAnswer{Outcome::found, cached->body};
        }
        message_pages_.count(PageOutcome::stale);
    } else {
        message_pages_.count(PageOutcome::miss);
    }
    auto stored = co_await messages(std::move(user_id), std::move(conversation_id), std::move(cursor), page);
    if (stored.outcome != Outcome::found) co_return MessagePageAnswer{stored.outcome, nullptr};
    auto body = std::make_shared<const std::string>(render(stored, page));
    pages_.store(std::move(key), CachedPage{stored.version, domain::TimePoint::max(), body});
    co_return MessagePageAnswer{Outcome::found, std::move(body)};
}

boost::asio::awaitable<std::optional<ConversationView>> InboxService::mark_read(std::string user_id,
                                                                                std::string conversation_id) {
    auto marked = co_await repository_.mark_read(user_id, conversation_id);
    if (!marked) co_return std::nullopt;
    if (marked->receipt_on_open && on_read_) on_read_(user_id, conversation_id);
    co_return view_of(std::move(marked->conversation));
}

}  // namespace inbox::services
