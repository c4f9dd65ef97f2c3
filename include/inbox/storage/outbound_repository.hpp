#pragma once
// The rows of outbound sends (API.md "Sending"): the send's context with the caller's membership in the same
// statement, the `pending` row written before Meta is called (idempotent per account and Idempotency-Key), and its
// end as `sent` (with the statuses that arrived first) or `failed`. Every statement that changes what clients show
// also NOTIFYs live clients (storage/live_notice.hpp) in the same round trip.
#include "inbox/storage/db_lane.hpp"
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

#include "inbox/domain/account.hpp"
#include "inbox/domain/message.hpp"
#include "inbox/domain/stored_template.hpp"
#include "inbox/domain/time.hpp"

namespace inbox::storage {

class DbPool;

// Where a send goes. The access token is read for the Graph call only: never log or cache it.
struct SendTarget {
    std::string account_id;
    std::string conversation_id;
    std::string recipient_wa_id;
    std::string phone_number_id;
    std::string access_token;
};

// The row an Idempotency-Key already names.
struct StoredSend {
    domain::Message message;
    std::optional<std::string> request_fingerprint;
    bool retryable = false;  // failed as unavailable: a repeat sends it again
};

// Everything a send decides on, in one statement (the "combined query").
struct SendContext {
    SendTarget target;
    std::string waba_id;
    std::optional<domain::TimePoint> last_inbound_at;
    std::size_t stored_templates = 0;
    // The best re-engagement candidate: APPROVED with one body parameter, the account's default template first.
    std::optional<domain::StoredTemplate> reengagement_template;
    std::optional<StoredSend> existing;  // the request's Idempotency-Key is taken by this row
};

// What is stored for a send before Meta is called.
struct OutboundDraft {
    std::string type;  // "text" | "template"
    std::string text;  // the text as sent, or the filled template body
    std::optional<domain::TemplateRef> template_ref;
};

struct IdempotencyKey {
    std::string key;
    std::string request_fingerprint;
};

struct PendingInsert {
    std::optional<SendTarget> target;        // empty: the conversation is not visible to the user
    std::optional<domain::Message> created;  // the new `pending` row
    std::optional<StoredSend> existing;      // nothing inserted: the key's row (empty if it is not visible yet)
};

// The message's state once Meta accepted it (parked statuses may have moved it past `sent`).
struct SentState {
    std::string status;
    std::optional<std::string> error_json;
};

class OutboundRepository {
public:
    explicit OutboundRepository(DbPool& pool) : lane_(pool, "sends") {}

    // nullopt: the conversation does not exist or the user is not a member of its account.
    boost::asio::awaitable<std::optional<SendContext>> load_context(std::string user_id, std::string conversation_id,
                                                                    std::optional<std::string> idempotency_key);

    // The `pending` row and the `message.created` NOTIFY, in one statement (its commit is the durable one).
    boost::asio::awaitable<PendingInsert> insert_pending(std::string user_id, std::string conversation_id,
                                                         OutboundDraft draft, std::optional<IdempotencyKey> key);

    boost::asio::awaitable<std::optional<StoredSend>> find_by_key(std::string account_id, std::string key);

    // A retryable failed row back to `pending` with this draft (the window may have changed since), for exactly
    // one caller. nullopt: another request claimed it first, or it is not retryable.
    boost::asio::awaitable<std::optional<domain::Message>> claim_retry(std::string account_id, std::string message_id,
                                                                       OutboundDraft draft);

    // One round trip (migration 0003, outbound_mark_sent): wamid, parked statuses, the conversation's last message
    // (`preview`), NOTIFY. The outcomes commit without waiting for the WAL flush (see the migration).
    boost::asio::awaitable<SentState> mark_sent(std::string account_id, std::string message_id, std::string wamid,
                                                std::string preview);

    // `pending` → `failed` with `error_json`; `retryable` when a repeat under the key may send it again. False when
    // the row was not pending any more.
    boost::asio::awaitable<bool> mark_failed(std::string account_id, std::string message_id, std::string error_json,
                                             bool retryable, std::string preview);

    // Sends still `pending` after `older_than` (the server stopped between the insert and Meta's answer) become
    // `failed` with `error_json`, retryable when they have an Idempotency-Key: whether Meta got them is unknown,
    // so only the caller may decide to send again, under its key. Answers how many were resolved.
    boost::asio::awaitable<std::size_t> fail_stale_pending(std::chrono::seconds older_than, std::string error_json);

private:
    DbLane lane_;
};

}  // namespace inbox::storage
