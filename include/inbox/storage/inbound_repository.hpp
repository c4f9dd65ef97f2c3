#pragma once
// Stores what webhook deliveries say, in one transaction that also marks the deliveries done: contacts, the open
// conversation of each contact, inbound messages exactly once, monotonic statuses (parked when the message is not
// stored yet), template statuses and media-download jobs.
#include "inbox/storage/db_lane.hpp"
#include "inbox/domain/webhook_payload.hpp"
#include "inbox/storage/db_connection.hpp"

#include <boost/asio/awaitable.hpp>

#include <cstdint>
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

// A delivery whose account changes are already routed to account ids (services::AccountDirectory).
struct DeliveryToStore {
    struct RoutedChange {
        std::string account_id;
        domain::AccountChange change;
    };
    std::int64_t event_id = 0;
    std::vector<RoutedChange> account_changes;
    std::vector<domain::TemplateStatusChange> template_changes;
    std::string notes;  // what was ignored and why, kept on the event row
};

struct StoredDelivery {
    std::vector<StoredChange> changes;
    bool handled = false;  // false: nothing in it was ours, and the event is recorded as ignored
};

class InboundRepository {
public:
    explicit InboundRepository(DbPool& pool) : lane_(pool, "webhook_processing", WorkClass::background) {}

    // Everything of these deliveries, and each event's own `processed`/`ignored` mark, in one transaction: a crash
    // leaves either all of it or none of it, and the sweeper redoes none-of-it idempotently. Results in order.
    // Locks are taken in the documented order (docs/ARCHITECTURE.md "Lock order"), so concurrent batches and
    // sends never deadlock with it; a deadlock or serialization failure still reported is retried by the pool.
    boost::asio::awaitable<std::vector<StoredDelivery>> store_deliveries(std::vector<DeliveryToStore> deliveries);

private:
    DbLane lane_;
};

}  // namespace inbox::storage
