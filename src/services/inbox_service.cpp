#include "inbox/services/inbox_service.hpp"

#include <algorithm>

#include "inbox/cache/cache.hpp"
#include "inbox/services/inbox_cache_codec.hpp"
#include "inbox/services/inbox_cache_keys.hpp"

namespace inbox::services {
namespace {

// Both keys of a cached conversation read, fetched in one cache round trip: [conversation, the user's accounts].
std::vector<std::string> cached_conversation_keys(const std::string& user_id, const std::string& conversation_id) {
    return {conversation_cache_key(conversation_id), membership_cache_key(user_id)};
}

// The cached conversation, when both entries are there and the user's cached accounts include its account.
std::optional<domain::Conversation> cached_for_member(const std::vector<std::optional<std::string>>& cached,
                                                      const std::string& conversation_id) {
    if (cached.size() != 2 || !cached[0] || !cached[1]) return std::nullopt;
    auto row = decode_conversation(*cached[0]);
    const auto account_ids = decode_account_ids(*cached[1]);
    if (!row || row->id != conversation_id || !account_ids) return std::nullopt;
    const bool member = std::find(account_ids->begin(), account_ids->end(), row->account_id) != account_ids->end();
    return member ? row : std::nullopt;
}

}  // namespace

InboxService::InboxService(storage::InboxRepository& repository, cache::Cache& cache, Clock clock)
    : repository_(repository), cache_(cache), clock_(std::move(clock)) {}

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
    for (auto& row : stored->rows) list.rows.push_back(view_of(std::move(row)));
    co_return list;
}

// A cached row names its account; it may be answered only when the user's cached memberships include that account.
// Both caches are filled by the same SQL lookup (membership in the statement), so a revoked membership is honoured
// within kMembershipCacheTtl (60 s) at worst; every other case (a miss, a stale or foreign account) asks Postgres.
boost::asio::awaitable<std::optional<ConversationView>> InboxService::conversation(std::string user_id,
                                                                                   std::string conversation_id) {
    const auto key = conversation_cache_key(conversation_id);
    auto cached = co_await cache_.get_many(cached_conversation_keys(user_id, conversation_id));
    if (auto row = cached_for_member(cached, conversation_id)) co_return view_of(std::move(*row));

    auto lookup = co_await repository_.find_conversation(user_id, conversation_id);
    co_await cache_.set(membership_cache_key(user_id), encode_account_ids(lookup.member_account_ids),
                        kMembershipCacheTtl);
    if (!lookup.conversation) co_return std::nullopt;
    co_await cache_.set(key, encode_conversation(*lookup.conversation),
                        std::chrono::duration_cast<std::chrono::seconds>(kConversationCacheTtl));
    co_return view_of(std::move(*lookup.conversation));
}

boost::asio::awaitable<storage::MessagePage> InboxService::messages(std::string user_id, std::string conversation_id,
                                                                    domain::MessageCursor cursor,
                                                                    domain::PageRequest page) {
    co_return co_await repository_.list_messages(std::move(user_id), std::move(conversation_id), std::move(cursor),
                                                 page);
}

boost::asio::awaitable<std::optional<ConversationView>> InboxService::mark_read(std::string user_id,
                                                                                std::string conversation_id) {
    auto row = co_await repository_.mark_read(std::move(user_id), std::move(conversation_id));
    if (!row) co_return std::nullopt;
    co_await cache_.erase(conversation_cache_key(row->id));
    co_return view_of(std::move(*row));
}

}  // namespace inbox::services
