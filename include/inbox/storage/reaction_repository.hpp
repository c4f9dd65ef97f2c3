#pragma once
// Our reactions (API.md Part 2, "Replies, reactions"): the message reacted to, with where a reaction to it goes,
// seen by a member only; and the reaction Meta accepted, folded onto the message (migration 0016) with its wamid
// kept so its status webhooks are ignored, and message.updated told to live clients — one statement each.
#include "inbox/storage/db_lane.hpp"
#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string>

#include "inbox/domain/message.hpp"
#include "inbox/domain/time.hpp"
#include "inbox/storage/outbound_repository.hpp"

namespace inbox::storage {

class DbPool;

struct ReactionTarget {
    SendTarget target;                         // the conversation's customer, number and token
    std::optional<std::string> wa_message_id;  // none: Meta does not have the message
    std::optional<domain::TimePoint> last_inbound_at;
};

class ReactionRepository {
public:
    explicit ReactionRepository(DbPool& pool) : lane_(pool, "reactions") {}

    // nullopt: no such message, or the user is not a member of its account.
    boost::asio::awaitable<std::optional<ReactionTarget>> target(std::string user_id, std::string message_id);

    // `user_id`'s reaction (`emoji`, "" for none) on the message, sent to Meta as `sent_wamid`. nullopt: the message
    // is gone.
    boost::asio::awaitable<std::optional<domain::Message>> record(std::string account_id, std::string message_id,
                                                                  std::string user_id, std::string emoji,
                                                                  std::string sent_wamid);

private:
    DbLane lane_;
};

}  // namespace inbox::storage
