#pragma once
// Read receipts and typing (API.md Part 2): what deciding one needs about a conversation (membership included), and
// the claims that make a receipt go out once per newest inbound message and a typing indicator at most every 20 s,
// across instances (migration 0017's conversation_receipts).
#include "inbox/storage/db_lane.hpp"
#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string>

#include "inbox/domain/time.hpp"
#include "inbox/storage/outbound_repository.hpp"

namespace inbox::storage {

class DbPool;

struct ReceiptContext {
    SendTarget target;
    std::string policy;                                  // never | on_open | on_reply
    std::optional<std::string> newest_inbound_wamid;     // none: the customer never wrote (or nothing has a wamid)
    std::optional<std::string> receipted_wamid;          // the newest inbound a receipt already went out for
    std::optional<domain::TimePoint> last_inbound_at;
};

class ReceiptRepository {
public:
    explicit ReceiptRepository(DbPool& pool) : lane_(pool, "receipts") {}

    // nullopt: no such conversation, or the user is not a member of its account.
    boost::asio::awaitable<std::optional<ReceiptContext>> context(std::string user_id, std::string conversation_id);
    // True for exactly one caller per (conversation, newest inbound wamid).
    boost::asio::awaitable<bool> claim_receipt(std::string conversation_id, std::string wamid);
    // A receipt that did not reach Meta: a later trigger may send it.
    boost::asio::awaitable<bool> release_receipt(std::string conversation_id, std::string wamid);
    // True at most once per 20 s per conversation.
    boost::asio::awaitable<bool> claim_typing(std::string conversation_id);
    boost::asio::awaitable<bool> release_typing(std::string conversation_id);

private:
    DbLane lane_;
};

}  // namespace inbox::storage
