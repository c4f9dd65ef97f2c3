#pragma once
// Sending a text to a customer (API.md "Sending"): free-form inside the 24 h window, or — on the auto-template
// route — the account's re-engagement template outside it; or, inside the window, an upload as media (API.md Part
// 2, "Sending media"). Nothing is lost and nothing is sent twice:
//   1. the window is decided from the cached *expiry instant* (OpenWindowMemo in this process, then
//      `free_window:{conversation}`); only a cached open window is trusted without Postgres (a stale entry can only
//      be earlier than the truth, since last_inbound_at only grows), anything else loads the send context (one
//      statement, membership included) and refreshes it;
//   2. the message row is written `pending` before Meta is called (idempotent per account and Idempotency-Key);
//   3. the per-number throttle, then Meta through the `messages` breaker;
//   4. `sent` + wamid (with the statuses that arrived first), or `failed` + the error: Meta's refusal is final,
//      "unavailable" (timeout, 5xx, throttling, open circuit) is retried by a repeat under the same key. Once Meta
//      accepted, the answer is 201 whatever happens to the record (it is retried for as long as this process
//      lives, and Meta's status webhooks find the message by its id in biz_opaque_callback_data).
// A warm send is two statements: the insert (with its context) and the outcome; the outcome moves the
// conversation's last message too unless a webhook batch holds that row (then ConversationTouches does, later).
// Every send of a row is an attempt of its own: an outcome is recorded for its attempt only.
#include <array>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "inbox/domain/free_window.hpp"
#include "inbox/domain/message.hpp"
#include "inbox/domain/template_shape.hpp"
#include "inbox/graph/graph_result.hpp"
#include "inbox/graph/graph_types.hpp"
#include "inbox/services/in_flight_sends.hpp"
#include "inbox/services/open_window_memo.hpp"
#include "inbox/storage/outbound_repository.hpp"

namespace inbox::cache {
class Cache;
}
namespace inbox::graph {
class GraphApi;
}
namespace inbox::media {
class MediaStore;
}
namespace inbox::storage {
class UploadRepository;
}
namespace inbox::observability {
class Counter;
class Histogram;
class MetricsRegistry;
}  // namespace inbox::observability

namespace inbox::services {

class ConversationTouches;
class OutboundThrottle;
class TemplateService;

// What a send keeps beside its row: this instance's claim on it and the work it hands on.
struct SendBookkeeping {
    InFlightSends& in_flight;                // sends whose outcome this process has yet to record
    ConversationTouches& touches;            // conversations whose last message a send could not move at once
    std::function<std::int32_t()> claimer_key;  // this instance's liveness key (storage::ClaimerLiveness::key)
    // Media sends (request.upload_id): the uploads and the store that holds their bytes. Without them, a media
    // send answers not_found.
    storage::UploadRepository* uploads = nullptr;
    const media::MediaStore* media_store = nullptr;
    // Called right after the Graph send of a message whose insert claimed a read receipt (policy `on_reply`), to
    // send it in the background; must not block.
    std::function<void(const storage::SendTarget& target)> with_reply;
};

// POST /messages/send, POST /messages/send-with-auto-template, POST /messages/send-template.
enum class SendRoute { text, auto_template, template_message };
inline constexpr std::size_t kSendRoutes = 3;

// POST /messages/send-template: the template and what fills it (checked against its stored components here).
struct TemplateSend {
    std::string name;
    std::string language;
    domain::TemplateValues values;
};

// A send-template to a number rather than to a conversation: the contact and its conversation are found or
// created first (send_template.cpp).
struct NewConversation {
    std::string account_id;  // a lower-case UUID
    std::string wa_id;       // already valid: 8-15 digits
};

struct SendRequest {
    SendRoute route = SendRoute::text;
    std::string user_id;
    std::string conversation_id;                 // a lower-case UUID
    std::string text;                            // already valid (domain::text_problem); a media send's caption
    std::optional<std::string> upload_id;        // a media send: a lower-case UUID of an upload
    std::optional<std::string> reply_to;         // the id of the message this one answers (lower-case UUID)
    std::optional<std::string> idempotency_key;  // already valid
    std::optional<TemplateSend> template_send;   // route template_message
    std::optional<NewConversation> to_number;    // route template_message without conversation_id
};

struct SendResult {
    enum class Outcome {
        created,               // 201: Meta accepted a new message, or a retried one
        repeated,              // 200: the key's stored message; nothing was sent
        not_found,             // 404: no such conversation for this user
        conflict,              // 409: the key was first used for another request
        validation_failed,     // 422: `problem` says why (e.g. too long for a template)
        outside_free_window,   // 422: route text, window closed; nothing stored
        no_approved_template,  // 422: auto_template: no usable template (one was submitted for review);
                               // template_message: the named one is not APPROVED for the account (`problem`)
        refused,               // 502: Meta refused; `message` is stored failed with the error
        unavailable,           // 503: `message` (if any) is stored failed, retried by a repeat under its key
    };
    Outcome outcome = Outcome::not_found;
    std::optional<domain::Message> message;
    std::optional<domain::TimePoint> window_expired_at;  // outside_free_window (empty: the contact never wrote)
    std::optional<graph::GraphRefusal> refusal;          // refused
    int retry_after_seconds = 0;                         // unavailable
    std::string problem;                                 // validation_failed
    std::chrono::steady_clock::duration graph_time{};    // how long Meta took to answer (zero: not called)
    std::string conversation_id;                         // the conversation sent to (a new one for to_number)
};

inline constexpr std::chrono::minutes kFreeWindowCacheTtl{5};
// Conversations whose open window this process remembers (OpenWindowMemo): ~100 bytes each.
inline constexpr std::size_t kOpenWindowMemoEntries = 100'000;

class SendService {
public:
    using Clock = std::function<domain::TimePoint()>;

    SendService(
        storage::OutboundRepository& outbound, TemplateService& templates, graph::GraphApi& graph, cache::Cache& cache,
        OutboundThrottle& throttle, SendBookkeeping bookkeeping, observability::MetricsRegistry& metrics,
        Clock clock = [] { return std::chrono::system_clock::now(); });

    boost::asio::awaitable<SendResult> send(SendRequest request);

private:
    // `request.reply_to` resolved to its wamid, or the answer that ends the send (404, 422) before anything is
    // stored.
    struct ReplyDecision {
        std::optional<domain::ReplyTo> reply;
        std::optional<SendResult> answer;
    };
    boost::asio::awaitable<ReplyDecision> resolve_reply(const SendRequest& request);

    // What a send stores and sends, or the answer that ends it before anything is stored.
    struct Decision {
        std::optional<storage::OutboundDraft> draft;
        SendResult answer;
    };

    boost::asio::awaitable<SendResult> send_warm(const SendRequest& request,
                                                 const std::optional<storage::IdempotencyKey>& key,
                                                 const std::optional<domain::ReplyTo>& reply);
    boost::asio::awaitable<SendResult> send_cold(const SendRequest& request,
                                                 const std::optional<storage::IdempotencyKey>& key,
                                                 const std::optional<domain::ReplyTo>& reply);
    // A media send (send_media.cpp): the upload must be of the conversation's account; inside the window only.
    boost::asio::awaitable<SendResult> send_media(const SendRequest& request,
                                                  const std::optional<storage::IdempotencyKey>& key,
                                                  const std::optional<domain::ReplyTo>& reply);
    // The bytes uploaded to the number once (Meta's media id is remembered on the upload), then sent by id.
    boost::asio::awaitable<graph::GraphResult<graph::SentMessage>> send_media_to_meta(
        const storage::SendTarget& target, graph::MessageEnvelope envelope, const storage::OutboundDraft& draft);
    // Meta's id for the draft's upload on the target's number: the remembered one, or uploaded now.
    boost::asio::awaitable<graph::GraphResult<graph::UploadedMedia>> graph_media_of(const storage::SendTarget& target,
                                                                                    const storage::OutboundDraft& draft);
    // POST /messages/send-template (send_template.cpp): any time, window or not, once the template fits.
    boost::asio::awaitable<SendResult> send_template_message(const SendRequest& request,
                                                             const std::optional<storage::IdempotencyKey>& key);
    // The stored template checked against the request, with its header's upload: what is stored and sent.
    boost::asio::awaitable<Decision> decide_template_message(const SendRequest& request,
                                                             const storage::SendTarget& target);
    boost::asio::awaitable<graph::GraphResult<graph::SentMessage>> send_template_to_meta(
        const SendRequest& request, const storage::SendTarget& target, graph::MessageEnvelope envelope,
        const storage::OutboundDraft& draft);
    boost::asio::awaitable<Decision> decide(const SendRequest& request, storage::SendContext& context);
    boost::asio::awaitable<Decision> decide_template(const SendRequest& request, storage::SendContext& context);
    // A request whose key names `existing`: the stored answer, a conflict, or (retryable) the same row sent again.
    boost::asio::awaitable<SendResult> repeat(const SendRequest& request, const storage::SendTarget& target,
                                              std::optional<storage::StoredSend> existing,
                                              const storage::IdempotencyKey& key,
                                              std::optional<storage::OutboundDraft> retry_draft);
    boost::asio::awaitable<SendResult> insert_and_dispatch(const SendRequest& request,
                                                           const storage::OutboundDraft& draft,
                                                           const std::optional<storage::IdempotencyKey>& key);
    // Throttle, Meta, the recorded outcome, with the row marked in flight here meanwhile.
    boost::asio::awaitable<SendResult> dispatch(const SendRequest& request, const storage::SendTarget& target,
                                                storage::PendingSend pending, const storage::OutboundDraft& draft);
    boost::asio::awaitable<SendResult> call_meta(const SendRequest& request, const storage::SendTarget& target,
                                                 storage::PendingSend pending, const storage::OutboundDraft& draft,
                                                 InFlightMark& mark);
    boost::asio::awaitable<void> record_acceptance(const storage::SendTarget& target, storage::PendingSend& pending,
                                                   const std::string& wamid, const std::string& preview,
                                                   InFlightMark& mark);
    boost::asio::awaitable<void> record_failure(const storage::SendTarget& target, const storage::PendingSend& pending,
                                                std::string error_json, bool retryable, const std::string& preview);
    // What InFlightKeyMark counts for a request's key (the key's scope is the conversation's account).
    static std::string key_in_flight(const SendRequest& request, const storage::IdempotencyKey& key);
    // A `pending` row nobody sends any more: its claimer died, or it is this instance's, not in flight here and no
    // other request here works under its key.
    bool orphaned(const storage::StoredSend& stored, const std::string& key_in_flight) const;
    boost::asio::awaitable<void> remember_window(const std::string& conversation_id,
                                                 std::optional<domain::TimePoint> last_inbound_at);
    SendResult counted(const SendRequest& request, SendResult result, std::chrono::steady_clock::time_point started);

    storage::OutboundRepository& outbound_;
    TemplateService& templates_;
    graph::GraphApi& graph_;
    cache::Cache& cache_;
    OutboundThrottle& throttle_;
    SendBookkeeping bookkeeping_;
    Clock clock_;
    OpenWindowMemo open_windows_;
    observability::Counter& superseded_;
    // inbox_sends_total{route, outcome}: [route][outcome]
    std::array<std::map<SendResult::Outcome, observability::Counter*>, kSendRoutes> outcomes_{};
    // inbox_send_overhead_seconds{route}: a send's time minus Meta's, i.e. what this server adds.
    std::array<observability::Histogram*, kSendRoutes> overhead_{};
};

}  // namespace inbox::services
