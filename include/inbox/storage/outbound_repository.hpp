#pragma once
// The rows of outbound sends (API.md "Sending"): the send's context with the caller's membership in the same
// statement, the `pending` row written before Meta is called (idempotent per account and Idempotency-Key), and its
// end as `sent` (with the statuses that arrived first) or `failed`. Every statement that changes what clients show
// also NOTIFYs live clients (storage/live_notice.hpp) in the same round trip.
#include "inbox/storage/db_lane.hpp"
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "inbox/domain/account.hpp"
#include "inbox/domain/message.hpp"
#include "inbox/domain/stored_template.hpp"
#include "inbox/domain/template_shape.hpp"
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
    // insert_pending: the newest inbound wamid whose read receipt this send claimed (policy on_reply), to be sent
    // beside it.
    std::optional<std::string> receipt_wamid;
};

// The row an Idempotency-Key already names.
struct StoredSend {
    domain::Message message;
    std::optional<std::string> request_fingerprint;
    bool retryable = false;  // failed as unavailable: a repeat sends it again
    int attempt = 1;         // which send of the row is (or was last) in flight
    std::optional<std::int32_t> claimed_by;  // pending: the instance whose Graph call is in flight
    bool claimer_alive = false;              // pending: that instance still holds its liveness lock
};

// A `pending` row and the attempt its Graph call is: the outcome is recorded for that attempt only.
struct PendingSend {
    domain::Message message;
    int attempt = 1;
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
// A media send's bytes: an upload of the same account, stored in the media store under `sha256`.
struct MediaDraft {
    std::string upload_id;
    std::string mime_type;
    std::string sha256;
    std::uint64_t file_size = 0;
    std::optional<std::string> filename;
    std::optional<std::string> graph_media_id;  // Meta's id for the bytes on this number, when still valid
};

struct OutboundDraft {
    std::string type;  // "text" | "template" | a media kind (image, video, audio, document, sticker)
    std::string text;  // the text as sent, the filled template body, or a media send's caption ("" for none)
    std::optional<domain::TemplateRef> template_ref;
    std::optional<domain::TemplateValues> template_values;  // send-template: what fills it (else the auto-template's
                                                            // one body parameter, from the request's text)
    std::optional<MediaDraft> media;  // a media send's upload, or a template's header media
    std::optional<domain::ReplyTo> reply_to;  // the message it answers (sent as Meta's `context`)
};

// What a send's `reply_to` names, for the caller: whether the conversation is theirs, whether the message is in it,
// and its wamid (none while it is pending or when it failed before Meta had it).
struct ReplyTarget {
    bool conversation_visible = false;
    bool in_conversation = false;
    std::optional<std::string> wa_message_id;
    std::optional<domain::ReplyPreview> preview;  // what the quoted block shows of it
};

struct IdempotencyKey {
    std::string key;
    std::string request_fingerprint;
};

struct PendingInsert {
    std::optional<SendTarget> target;        // empty: the conversation is not visible to the user
    std::optional<PendingSend> created;      // the new `pending` row
    std::optional<StoredSend> existing;      // nothing inserted: the key's row (empty if it is not visible yet)
};

// What recording Meta's acceptance did (migration 0009, outbound_record_sent).
struct SentRecord {
    enum class Outcome {
        recorded,    // the row carries the wamid; `status` may be past `sent` (statuses that arrived first)
        superseded,  // the row was retried since: this attempt's acceptance changes nothing (a second send)
        missing,     // no such message
    };
    Outcome outcome = Outcome::missing;
    std::string status;
    std::optional<std::string> error_json;
    bool conversation_touched = false;  // false: the conversation was locked; touch_conversation() it later
};

struct FailedRecord {
    bool recorded = false;  // false: the row was not that pending attempt any more
    bool conversation_touched = false;
};

// Which `pending` rows the sweeper may take for lost (PendingSendSweeper).
struct StalePendingRule {
    std::chrono::seconds older_than{60};
    std::int32_t this_claimer = 0;             // this instance's liveness key
    std::vector<std::string> in_flight_here;   // message ids this instance is sending or recording now
    std::chrono::seconds whoever_claims_after{600};
};

class OutboundRepository {
public:
    explicit OutboundRepository(DbPool& pool)
        : lane_(pool, "sends"),
          touch_lane_(pool, "conversation_touches", WorkClass::background),
          maintenance_lane_(pool, "send_maintenance", WorkClass::background) {}

    // nullopt: the conversation does not exist or the user is not a member of its account.
    boost::asio::awaitable<std::optional<SendContext>> load_context(std::string user_id, std::string conversation_id,
                                                                    std::optional<std::string> idempotency_key);

    // The `pending` row, claimed by `claimer` (this instance's liveness key), and the `message.created` NOTIFY, in
    // one statement (its commit is the durable one).
    boost::asio::awaitable<PendingInsert> insert_pending(std::string user_id, std::string conversation_id,
                                                         OutboundDraft draft, std::optional<IdempotencyKey> key,
                                                         std::int32_t claimer);

    // The contact `wa_id` of the account and its open conversation, found or created (API.md Part 2, "new
    // conversations"), with a conversation.updated NOTIFY when the conversation is new. nullopt: the user is not a
    // member of the account (conversation_start.cpp).
    boost::asio::awaitable<std::optional<std::string>> start_conversation(std::string user_id, std::string account_id,
                                                                          std::string wa_id);

    boost::asio::awaitable<std::optional<StoredSend>> find_by_key(std::string account_id, std::string key);
    // The message `message_id` as the target of a reply in `conversation_id`, seen by `user_id` (one statement).
    boost::asio::awaitable<ReplyTarget> reply_target(std::string user_id, std::string conversation_id,
                                                     std::string message_id);

    // A retryable failed row, or an orphaned pending one, back to `pending` as the next attempt with this draft
    // (the window may have changed since), for exactly one caller: `attempt` must still be the row's. nullopt:
    // another request claimed it first, or it may not be sent again.
    boost::asio::awaitable<std::optional<PendingSend>> claim_retry(std::string account_id, std::string message_id,
                                                                   int attempt, OutboundDraft draft,
                                                                   std::int32_t claimer);

    // Meta accepted `attempt` as `wamid`: one round trip (migration 0009) that waits for the wamid and the message
    // only; the conversation's last message (`preview`) moves too unless its row is locked at that instant.
    boost::asio::awaitable<SentRecord> record_sent(std::string account_id, std::string message_id, int attempt,
                                                   std::string wamid, std::string preview);

    // `pending` → `failed` with `error_json`, for the attempt in flight only; `retryable` when a repeat under the
    // key may send it again. The conversation's last message as for record_sent.
    boost::asio::awaitable<FailedRecord> mark_failed(std::string account_id, std::string message_id, int attempt,
                                                     std::string error_json, bool retryable, std::string preview);

    // The conversation's last message follows `message_id` (with `preview`) if it is the newest: a statement that
    // waits for the conversation and locks nothing else (ConversationTouches runs it off the request path).
    boost::asio::awaitable<void> touch_conversation(std::string account_id, std::string message_id,
                                                    std::string preview);

    // Pending rows the rule takes for lost (their sender stopped between the insert and Meta's answer) become
    // `failed` with `error_json`, retryable when they have an Idempotency-Key: whether Meta got them is unknown, so
    // only the caller may decide to send again, under its key. Answers how many were resolved.
    boost::asio::awaitable<std::size_t> fail_stale_pending(StalePendingRule rule, std::string error_json);

private:
    DbLane lane_;
    DbLane touch_lane_;
    DbLane maintenance_lane_;
};

}  // namespace inbox::storage
