#pragma once
// The durable webhook inbox: raw deliveries are committed here before Meta gets its 200.
#include "inbox/storage/db_lane.hpp"
#include "inbox/storage/db_connection.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace inbox::storage {

class ClaimerLiveness;
class DbPool;

class WebhookEventRepository {
public:
    // `claimer`: whose claims claim() makes; an intake-only repository (insert_batch) needs none. The intake answers
    // Meta (interactive); claims and retries are background work.
    explicit WebhookEventRepository(DbPool& pool, const ClaimerLiveness* claimer = nullptr)
        : lane_(pool, claimer ? "webhook_claims" : "webhook_intake",
                claimer ? WorkClass::background : WorkClass::interactive),
          claimer_(claimer) {}

    // One multi-row INSERT and one commit for the whole batch (group commit). Answers the new ids in batch order.
    boost::asio::awaitable<std::vector<std::int64_t>> insert_batch(std::vector<std::string> bodies);

    // How long a claim lasts (the claim statement's interval).
    static constexpr std::chrono::seconds kClaimLease{60};

    struct ClaimedEvent {
        std::int64_t id;
        std::string body;
        int attempts;           // including this one
        double received_at;     // unix seconds, for the processing-lag histogram
    };
    // Claims events for processing (FOR UPDATE SKIP LOCKED, so several instances share the work) under the
    // claimer's key. With ids: only those (the fast path right after commit); without: any due event (the sweeper:
    // retries, and the claims of dead claimers). `given_up`: this instance's claims whose outcome it could not record
    // (neither stored nor rescheduled): claimable again at once instead of after their 60 s lease.
    boost::asio::awaitable<std::vector<ClaimedEvent>> claim(std::vector<std::int64_t> ids, std::size_t limit,
                                                            std::vector<std::int64_t> given_up = {});
    enum class Outcome { processed, ignored };
    struct FinishedEvent {
        std::int64_t id;
        Outcome outcome;
        std::string note;  // why (parts of) it were ignored; empty for none
    };
    // Marks events done and NOTIFYs `live_payloads` (storage/live_notice.hpp) on the live channel, in one statement,
    // inside the transaction that stored what they said (InboundRepository::store_deliveries).
    static void finish(DbConnection& db, pqxx::transaction_base& tx, const std::vector<FinishedEvent>& finished,
                       const std::vector<std::string>& live_payloads);
    // Back to pending after `delay`, or failed for good once attempts reach max_attempts.
    boost::asio::awaitable<void> retry_later(std::int64_t id, std::string error, std::chrono::seconds delay,
                                             int max_attempts);

private:
    DbLane lane_;
    const ClaimerLiveness* claimer_;
};

}  // namespace inbox::storage
