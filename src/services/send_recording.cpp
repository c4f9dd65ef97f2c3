// SendService's record of what Meta answered: the accepted send recorded as sent (retried in the background while
// Postgres is away), the refused one as failed. Both are attempt-guarded in SQL (migration 0009) and never wait for
// the conversation's row: when it is busy, ConversationTouches moves its last message moments later.
#include "inbox/services/send_service.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <algorithm>

#include "inbox/observability/metrics.hpp"
#include "inbox/services/conversation_touches.hpp"
#include "inbox/services/in_flight_sends.hpp"

namespace inbox::services {
namespace {

// Meta accepted the message but its record failed (Postgres away): keep trying for as long as this process lives,
// so the row does not stay `pending` (the sweeper leaves rows alone that are in flight here). Meta's status
// webhooks, which carry the message id as callback data, record it too if they come first. Not a coroutine with
// captures (GCC 12, ARCHITECTURE.md).
boost::asio::awaitable<void> record_sent_later(storage::OutboundRepository& outbound, InFlightSends& in_flight,
                                               ConversationTouches& touches, std::string account_id,
                                               std::string conversation_id, storage::PendingSend pending,
                                               std::string wamid, std::string preview) {
    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
    auto wait = std::chrono::milliseconds(250);
    for (int attempt = 2;; ++attempt) {
        timer.expires_after(wait);
        co_await timer.async_wait(boost::asio::use_awaitable);
        try {
            auto record = co_await outbound.record_sent(account_id, pending.message.id, pending.attempt, wamid, preview);
            if (!record.conversation_touched && record.outcome == storage::SentRecord::Outcome::recorded) {
                touches.touch(account_id, conversation_id, pending.message.id, pending.message.timestamp, preview);
            }
            spdlog::info("message {}: recorded as sent after {} attempts", pending.message.id, attempt);
            break;
        } catch (const std::exception& error) {
            spdlog::warn("message {}: recording it as sent failed again: {}", pending.message.id, error.what());
        }
        wait = std::min<std::chrono::milliseconds>(wait * 2, std::chrono::seconds(30));
    }
    in_flight.remove(pending.message.id);
}

}  // namespace

// Meta accepted it: whatever happens to the record from here, the answer is 201 and the message is never sent
// again by a repeat (the row stays claimed and in flight here until it is recorded).
boost::asio::awaitable<void> SendService::record_acceptance(const storage::SendTarget& target,
                                                            storage::PendingSend& pending, const std::string& wamid,
                                                            const std::string& preview, InFlightMark& mark) {
    auto& message = pending.message;
    message.wa_message_id = wamid;
    message.status = "sent";
    bool recorded = false;
    try {
        auto record = co_await outbound_.record_sent(target.account_id, message.id, pending.attempt, wamid, preview);
        recorded = true;
        if (record.outcome == storage::SentRecord::Outcome::superseded) {
            superseded_.inc();
            spdlog::error("message {}: attempt {} accepted by Meta as {} after the row was sent again", message.id,
                          pending.attempt, wamid);
        } else {
            message.status = std::move(record.status);
            message.error_json = std::move(record.error_json);
            if (!record.conversation_touched) {
                bookkeeping_.touches.touch(target.account_id, target.conversation_id, message.id, message.timestamp,
                                           preview);
            }
        }
    } catch (const std::exception& error) {
        spdlog::warn("message {}: sent as {} but not recorded yet: {}", message.id, wamid, error.what());
    }
    if (recorded) co_return;
    mark.hand_on();
    auto executor = co_await boost::asio::this_coro::executor;
    boost::asio::co_spawn(executor,
                          record_sent_later(outbound_, bookkeeping_.in_flight, bookkeeping_.touches, target.account_id,
                                            target.conversation_id, pending, wamid, preview),
                          boost::asio::detached);
}

boost::asio::awaitable<void> SendService::record_failure(const storage::SendTarget& target,
                                                         const storage::PendingSend& pending, std::string error_json,
                                                         bool retryable, const std::string& preview) {
    auto record = co_await outbound_.mark_failed(target.account_id, pending.message.id, pending.attempt,
                                                 std::move(error_json), retryable, preview);
    if (record.recorded && !record.conversation_touched) {
        bookkeeping_.touches.touch(target.account_id, target.conversation_id, pending.message.id,
                                   pending.message.timestamp, preview);
    }
}

}  // namespace inbox::services
