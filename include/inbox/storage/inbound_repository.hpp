#pragma once
// Stores what a webhook delivery says about one business number, in one transaction per account change:
// contacts, the open conversation of each contact, inbound messages exactly once, monotonic statuses (parked
// when the message is not stored yet), and media-download jobs.
#include "inbox/domain/webhook_payload.hpp"
#include "inbox/storage/db_connection.hpp"

#include <boost/asio/awaitable.hpp>

#include <optional>
#include <string>
#include <vector>

namespace inbox::storage {

class DbPool;

struct StoredChange {
    std::string account_id;
    std::vector<std::string> created_message_ids;   // inbound messages inserted by this change
    std::vector<std::string> updated_message_ids;   // outbound messages whose status or error changed
    std::vector<std::string> touched_conversation_ids;
    std::size_t duplicate_messages = 0;             // already stored (redelivery)
    std::size_t parked_statuses = 0;                // for wamids we do not have yet
    std::size_t media_jobs = 0;
};

class InboundRepository {
public:
    explicit InboundRepository(DbPool& pool) : pool_(pool) {}

    // nullopt when no account has the change's phone_number_id (the caller records it as ignored).
    boost::asio::awaitable<std::optional<StoredChange>> store(domain::AccountChange change);

    // Updates stored templates of the WABA's accounts; answers how many rows changed.
    boost::asio::awaitable<std::size_t> store_template_status(domain::TemplateStatusChange change);

    // For the send path: gives an outbound message its wamid and applies statuses that arrived before it, under
    // the same per-wamid lock the status path takes, so neither can miss the other.
    static void attach_wamid(DbConnection& db, pqxx::transaction_base& tx, const std::string& account_id,
                             const std::string& message_id, const std::string& wa_message_id);

private:
    DbPool& pool_;
};

}  // namespace inbox::storage
