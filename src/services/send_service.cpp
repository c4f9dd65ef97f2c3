#include "inbox/services/send_service.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/use_awaitable.hpp>
#include <array>
#include <limits>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "inbox/auth/sha256.hpp"
#include "inbox/cache/cache.hpp"
#include "inbox/domain/message_preview.hpp"
#include "inbox/domain/outbound_text.hpp"
#include "inbox/domain/template_shape.hpp"
#include "inbox/domain/utf8.hpp"
#include "inbox/graph/graph_api.hpp"
#include "inbox/graph/graph_error.hpp"
#include "inbox/graph/graph_payloads.hpp"
#include "inbox/observability/metrics.hpp"
#include "inbox/services/conversation_touches.hpp"
#include "inbox/services/in_flight_sends.hpp"
#include "inbox/services/inbox_cache_keys.hpp"
#include "inbox/services/outbound_throttle.hpp"
#include "inbox/services/template_service.hpp"
#include "send_results.hpp"
#include "inbox/util/errors.hpp"

namespace inbox::services {
namespace {

using Outcome = SendResult::Outcome;
using send_results::answer;
using send_results::unavailable;
using send_results::with_message;

constexpr const char* kRouteNames[kSendRoutes] = {"send", "send_with_auto_template", "send_template"};
constexpr std::array kOutcomes{Outcome::created,           Outcome::repeated,            Outcome::not_found,
                               Outcome::conflict,          Outcome::validation_failed,   Outcome::outside_free_window,
                               Outcome::no_approved_template, Outcome::refused,          Outcome::unavailable};

const char* to_string(Outcome outcome) {
    switch (outcome) {
    case Outcome::created: return "created";
    case Outcome::repeated: return "repeated";
    case Outcome::not_found: return "not_found";
    case Outcome::conflict: return "conflict";
    case Outcome::validation_failed: return "validation_failed";
    case Outcome::outside_free_window: return "outside_free_window";
    case Outcome::no_approved_template: return "no_approved_template";
    case Outcome::refused: return "refused";
    case Outcome::unavailable: return "unavailable";
    }
    return "unknown";
}
// The free-window cache holds the instant the window closes, or this for a contact who never wrote.
constexpr std::string_view kNeverWrote = "none";

std::size_t index_of(SendRoute route) { return static_cast<std::size_t>(route); }

// A template send's values in a fixed order, for the key's fingerprint.
std::string template_fingerprint(const TemplateSend& spec) {
    nlohmann::json values{{"name", spec.name}, {"language", spec.language}, {"body", spec.values.body}};
    if (spec.values.header) {
        values["header"] = {{"text", spec.values.header->text.value_or("")},
                            {"upload_id", spec.values.header->upload_id.value_or("")}};
    }
    for (const auto& button : spec.values.buttons) values["buttons"].push_back({button.index, button.text});
    return values.dump();
}

// The key with what it was first used for: the route, the conversation and the text.
std::optional<storage::IdempotencyKey> idempotency_of(const SendRequest& request) {
    if (!request.idempotency_key) return std::nullopt;
    std::string fingerprinted = kRouteNames[index_of(request.route)];
    fingerprinted.append("\n").append(request.conversation_id).append("\n").append(request.text);
    if (request.upload_id) fingerprinted.append("\nupload:").append(*request.upload_id);
    if (request.reply_to) fingerprinted.append("\nreply:").append(*request.reply_to);
    if (request.template_send) fingerprinted.append("\ntemplate:").append(template_fingerprint(*request.template_send));
    return storage::IdempotencyKey{*request.idempotency_key, auth::sha256_hex(fingerprinted)};
}

storage::OutboundDraft text_draft(const std::string& text) { return {"text", text, std::nullopt}; }

std::string encode_expiry(std::optional<domain::TimePoint> last_inbound_at) {
    if (!last_inbound_at) return std::string(kNeverWrote);
    const auto expiry = *last_inbound_at + domain::kFreeWindowDuration;
    return std::to_string(std::chrono::duration_cast<std::chrono::microseconds>(expiry.time_since_epoch()).count());
}

// The cached instant the window closes; nullopt for a miss, "never wrote", or anything unreadable.
std::optional<domain::TimePoint> decode_expiry(const std::optional<std::string>& cached) {
    if (!cached || cached->empty() || *cached == kNeverWrote) return std::nullopt;
    std::int64_t micros = 0;
    for (char c : *cached) {
        if (c < '0' || c > '9' || micros > (std::numeric_limits<std::int64_t>::max() - 9) / 10) return std::nullopt;
        micros = micros * 10 + (c - '0');
    }
    return domain::TimePoint{
        std::chrono::duration_cast<domain::TimePoint::duration>(std::chrono::microseconds(micros))};
}

std::string refusal_json(const graph::GraphRefusal& refusal) {
    return nlohmann::json{{"code", refusal.code}, {"title", refusal.title}, {"details", refusal.details}}.dump();
}

std::string unavailable_json(int code, std::string_view details) {
    return nlohmann::json{{"code", code}, {"title", "WhatsApp Graph API unavailable"}, {"details", details}}.dump();
}

void mark_failed_in(domain::Message& message, std::string error_json) {
    message.status = "failed";
    message.error_json = std::move(error_json);
}

// The template the auto-template route may fill with `text`, or why not. Meta's parameter count is checked again
// here (the stored count is Meta's listing, the body is what will be filled).
std::optional<storage::OutboundDraft> template_draft(const domain::StoredTemplate& candidate, const std::string& text) {
    if (!candidate.body_text || domain::count_template_placeholders(*candidate.body_text) != 1) return std::nullopt;
    return storage::OutboundDraft{
        "template", domain::fill_template_body(*candidate.body_text, domain::template_parameter_text(text)),
        domain::TemplateRef{candidate.name, candidate.language}};
}

}  // namespace

SendService::SendService(storage::OutboundRepository& outbound, TemplateService& templates, graph::GraphApi& graph,
                         cache::Cache& cache, OutboundThrottle& throttle, SendBookkeeping bookkeeping,
                         observability::MetricsRegistry& metrics, Clock clock)
    : outbound_(outbound),
      templates_(templates),
      graph_(graph),
      cache_(cache),
      throttle_(throttle),
      bookkeeping_(bookkeeping),
      clock_(std::move(clock)),
      open_windows_(kOpenWindowMemoEntries, kFreeWindowCacheTtl),
      superseded_(metrics.counter("inbox_sends_superseded_total",
                                  "Sends Meta accepted after their row had been retried under its key (sent twice)")) {
    for (std::size_t route = 0; route < outcomes_.size(); ++route) {
        for (auto outcome : kOutcomes) {
            outcomes_[route][outcome] =
                &metrics.counter("inbox_sends_total", "Send requests by route and outcome",
                                 {{"route", kRouteNames[route]}, {"outcome", to_string(outcome)}});
        }
        overhead_[route] = &metrics.histogram(
            "inbox_send_overhead_seconds", "Time a send spent outside the Graph API call (what this server adds)",
            {{"route", kRouteNames[route]}},
            {0.00025, 0.0005, 0.001, 0.002, 0.003, 0.004, 0.005, 0.0075, 0.01, 0.02, 0.05, 0.1, 0.25, 1});
    }
}

std::string SendService::key_in_flight(const SendRequest& request, const storage::IdempotencyKey& key) {
    return request.conversation_id + '\n' + key.key;
}

// The caller is one of this process's requests under the row's key (it holds one InFlightKeyMark): the row is ours
// and orphaned only when no other request here works under that key and none is recording its outcome.
bool SendService::orphaned(const storage::StoredSend& stored, const std::string& key_in_flight) const {
    if (stored.message.status != "pending" || stored.message.wa_message_id) return false;
    if (!stored.claimed_by) return true;
    if (*stored.claimed_by == bookkeeping_.claimer_key()) {
        return !bookkeeping_.in_flight.contains(stored.message.id) &&
               bookkeeping_.in_flight.key_holders(key_in_flight) <= 1;
    }
    return !stored.claimer_alive;
}

SendResult SendService::counted(const SendRequest& request, SendResult result,
                                std::chrono::steady_clock::time_point started) {
    outcomes_[index_of(request.route)].at(result.outcome)->inc();
    if (result.graph_time.count() > 0) {
        const auto own = std::chrono::steady_clock::now() - started - result.graph_time;
        overhead_[index_of(request.route)]->observe(std::chrono::duration<double>(own).count());
    }
    return result;
}

boost::asio::awaitable<SendResult> SendService::send(SendRequest request) {
    const auto started = std::chrono::steady_clock::now();
    if (request.to_number) {
        auto opened = co_await outbound_.start_conversation(request.user_id, request.to_number->account_id,
                                                            request.to_number->wa_id);
        if (!opened) {
            co_return counted(request, send_results::answer_because(Outcome::not_found, "account not found"),
                              started);
        }
        request.conversation_id = std::move(*opened);
    }
    const auto key = idempotency_of(request);
    std::optional<InFlightKeyMark> key_mark;
    if (key) key_mark.emplace(bookkeeping_.in_flight, key_in_flight(request, *key));
    // A template goes out whatever the window: no need to know it.
    const bool any_window = request.route == SendRoute::template_message;
    auto expiry = open_windows_.open_until(request.conversation_id, clock_());
    if (!expiry && !any_window) {
        auto cached = co_await cache_.get(free_window_cache_key(request.conversation_id));
        expiry = decode_expiry(cached);
        if (expiry) open_windows_.remember(request.conversation_id, *expiry, clock_());
    }
    std::optional<domain::ReplyTo> reply;
    if (request.reply_to) {
        auto decided = co_await resolve_reply(request);
        if (decided.answer) co_return counted(request, std::move(*decided.answer), started);
        reply = std::move(decided.reply);
    }
    SendResult result;
    if (request.route == SendRoute::template_message) {
        result = co_await send_template_message(request, key);
    } else if (request.upload_id) {
        result = co_await send_media(request, key, reply);
    } else if (expiry && clock_() < *expiry) {
        result = co_await send_warm(request, key, reply);
    } else {
        result = co_await send_cold(request, key, reply);
    }
    result.conversation_id = request.conversation_id;
    co_return counted(request, std::move(result), started);
}

// The message a reply quotes: of the same conversation, and known to Meta (it has a wamid), else 422; a
// conversation the caller cannot see is 404, as without reply_to.
boost::asio::awaitable<SendService::ReplyDecision> SendService::resolve_reply(const SendRequest& request) {
    auto target = co_await outbound_.reply_target(request.user_id, request.conversation_id, *request.reply_to);
    ReplyDecision decision;
    if (!target.conversation_visible) {
        decision.answer = answer(Outcome::not_found);
    } else if (!target.in_conversation) {
        decision.answer = send_results::answer_because(Outcome::validation_failed,
                                                       "reply_to must name a message of this conversation");
    } else if (!target.wa_message_id) {
        decision.answer = send_results::answer_because(
            Outcome::validation_failed, "reply_to names a message WhatsApp does not have (no wa_message_id)");
    } else {
        decision.reply = domain::ReplyTo{*target.wa_message_id, *request.reply_to, std::move(target.preview)};
    }
    co_return decision;
}

// The cached window is open: one statement loads the target and writes the pending row (or finds the key's row).
boost::asio::awaitable<SendResult> SendService::send_warm(const SendRequest& request,
                                                          const std::optional<storage::IdempotencyKey>& key,
                                                          const std::optional<domain::ReplyTo>& reply) {
    auto draft = text_draft(request.text);
    draft.reply_to = reply;
    co_return co_await insert_and_dispatch(request, draft, key);
}

// The pending row, then Meta; or, when the key's row exists already, what a repeat answers.
boost::asio::awaitable<SendResult> SendService::insert_and_dispatch(const SendRequest& request,
                                                                    const storage::OutboundDraft& draft,
                                                                    const std::optional<storage::IdempotencyKey>& key) {
    auto inserted = co_await outbound_.insert_pending(request.user_id, request.conversation_id, draft, key,
                                                      bookkeeping_.claimer_key());
    if (!inserted.target) co_return answer(Outcome::not_found);  // not a member (or no longer one)
    if (inserted.created) co_return co_await dispatch(request, *inserted.target, std::move(*inserted.created), draft);
    if (!key) throw std::logic_error("send: nothing inserted without an idempotency key");
    co_return co_await repeat(request, *inserted.target, std::move(inserted.existing), *key, draft);
}

// No cached open window: the send context decides (membership, window, templates, the key's row).
boost::asio::awaitable<SendResult> SendService::send_cold(const SendRequest& request,
                                                          const std::optional<storage::IdempotencyKey>& key,
                                                          const std::optional<domain::ReplyTo>& reply) {
    // A named local, not a conditional expression inside co_await: GCC 12 miscompiles that temporary.
    std::optional<std::string> key_text;
    if (key) key_text = key->key;
    auto context = co_await outbound_.load_context(request.user_id, request.conversation_id, std::move(key_text));
    if (!context) co_return answer(Outcome::not_found);
    co_await remember_window(request.conversation_id, context->last_inbound_at);

    auto existing = std::move(context->existing);
    if (existing && key && existing->request_fingerprint == key->request_fingerprint &&
        (existing->retryable || orphaned(*existing, key_in_flight(request, *key)))) {
        auto decision = co_await decide(request, *context);
        if (!decision.draft) co_return decision.answer;
        decision.draft->reply_to = reply;
        co_return co_await repeat(request, context->target, std::move(existing), *key, std::move(decision.draft));
    }
    if (existing) co_return co_await repeat(request, context->target, std::move(existing), *key, std::nullopt);

    auto decision = co_await decide(request, *context);
    if (!decision.draft) co_return decision.answer;
    decision.draft->reply_to = reply;
    co_return co_await insert_and_dispatch(request, *decision.draft, key);
}

boost::asio::awaitable<SendService::Decision> SendService::decide(const SendRequest& request,
                                                                  storage::SendContext& context) {
    const auto window = domain::free_window(context.last_inbound_at, clock_());
    Decision decision;
    if (window.open) {
        decision.draft = text_draft(request.text);
        co_return decision;
    }
    if (request.route == SendRoute::text) {
        decision.answer = answer(Outcome::outside_free_window);
        decision.answer.window_expired_at = window.expires_at;
        co_return decision;
    }
    co_return co_await decide_template(request, context);
}

// Outside the window on the auto-template route: the account's re-engagement template, synced from Meta first when
// the account has none stored; without a usable one, one is submitted for review (at most once a day).
boost::asio::awaitable<SendService::Decision> SendService::decide_template(const SendRequest& request,
                                                                           storage::SendContext& context) {
    Decision decision;
    if (!context.reengagement_template && context.stored_templates == 0) {
        auto synced = co_await templates_.sync(request.user_id, context.target.account_id);
        using SyncOutcome = TemplateSyncResult::Outcome;
        if (synced.outcome == SyncOutcome::unavailable) {
            decision.answer = unavailable(synced.unavailable->retry_after_seconds, std::nullopt);
            co_return decision;
        }
        if (synced.outcome == SyncOutcome::refused) {
            decision.answer = answer(Outcome::refused);
            decision.answer.refusal = synced.refusal;
            co_return decision;
        }
        if (synced.synced > 0) {
            auto reloaded = co_await outbound_.load_context(request.user_id, request.conversation_id, std::nullopt);
            if (!reloaded) {
                decision.answer = answer(Outcome::not_found);
                co_return decision;
            }
            context.reengagement_template = std::move(reloaded->reengagement_template);
        }
    }
    if (context.reengagement_template) decision.draft = template_draft(*context.reengagement_template, request.text);
    if (!decision.draft) {
        co_await templates_.submit_reengagement_template(context.target.account_id, clock_());
        decision.answer = answer(Outcome::no_approved_template);
        co_return decision;
    }
    if (domain::utf8_length(decision.draft->text) > domain::kMaxTemplateBodyCharacters) {
        decision.draft.reset();
        decision.answer = answer(Outcome::validation_failed);
        decision.answer.problem = "text is too long to be sent in the re-engagement template (at most " +
                                  std::to_string(domain::kMaxTemplateBodyCharacters) +
                                  " characters with the template's own text)";
    }
    co_return decision;
}

boost::asio::awaitable<SendResult> SendService::repeat(const SendRequest& request, const storage::SendTarget& target,
                                                       std::optional<storage::StoredSend> existing,
                                                       const storage::IdempotencyKey& key,
                                                       std::optional<storage::OutboundDraft> retry_draft) {
    // A first request with this key committed after our statement began: it is visible now.
    if (!existing) existing = co_await outbound_.find_by_key(target.account_id, key.key);
    if (!existing || existing->request_fingerprint != key.request_fingerprint) co_return answer(Outcome::conflict);
    // Sent again: a row that failed as unavailable, or a pending one that nobody is sending any more (its sender
    // died, or its insert's answer was lost with the connection). Anything else is the stored answer.
    if (!(existing->retryable || orphaned(*existing, key_in_flight(request, key))) || !retry_draft) {
        co_return with_message(Outcome::repeated, std::move(existing->message));
    }
    auto claimed = co_await outbound_.claim_retry(target.account_id, existing->message.id, existing->attempt,
                                                  *retry_draft, bookkeeping_.claimer_key());
    if (claimed) co_return co_await dispatch(request, target, std::move(*claimed), *retry_draft);
    // Another repeat claimed it first: answer what is stored now.
    auto current = co_await outbound_.find_by_key(target.account_id, key.key);
    if (!current) co_return answer(Outcome::conflict);
    co_return with_message(Outcome::repeated, std::move(current->message));
}

boost::asio::awaitable<SendResult> SendService::dispatch(const SendRequest& request, const storage::SendTarget& target,
                                                         storage::PendingSend pending,
                                                         const storage::OutboundDraft& draft) {
    InFlightMark mark(bookkeeping_.in_flight, pending.message.id);
    co_return co_await call_meta(request, target, std::move(pending), draft, mark);
}

boost::asio::awaitable<SendResult> SendService::call_meta(const SendRequest& request, const storage::SendTarget& target,
                                                          storage::PendingSend pending,
                                                          const storage::OutboundDraft& draft, InFlightMark& mark) {
    const auto preview = domain::message_preview(draft.type, draft.text);
    auto& message = pending.message;

    if (auto wait = throttle_.admit(target.phone_number_id, target.recipient_wa_id); wait.count() > 0) {
        auto error = unavailable_json(0, "over the send rate of this business number; not sent to Meta");
        // The agent did answer: the receipt this send claimed still goes (it is no message of Meta's rate).
        if (target.receipt_wamid && bookkeeping_.with_reply) bookkeeping_.with_reply(target);
        co_await record_failure(target, pending, error, true, preview);
        mark_failed_in(message, std::move(error));
        co_return unavailable(retry_after_seconds(wait), std::move(message));
    }

    // Our message id rides along as callback data: Meta's status webhooks then find the message even before (or
    // without) the record of Meta's answer below.
    std::optional<std::string> context_wamid;
    if (draft.reply_to) context_wamid = draft.reply_to->wa_message_id;
    graph::MessageEnvelope envelope{target.recipient_wa_id, std::move(context_wamid), message.id};
    graph::GraphResult<graph::SentMessage> sent;
    const auto graph_started = std::chrono::steady_clock::now();
    if (draft.template_ref) {
        sent = co_await send_template_to_meta(request, target, std::move(envelope), draft);
    } else if (draft.media) {
        sent = co_await send_media_to_meta(target, std::move(envelope), draft);
    } else {
        sent = co_await graph_.send_text(target.phone_number_id, target.access_token, std::move(envelope), draft.text);
    }

    const auto graph_time = std::chrono::steady_clock::now() - graph_started;
    // The read receipt this send claimed goes out now, in the background: the send never waits for it, and it never
    // takes the send's place in Meta's order (throughput, throttling, a failing call).
    if (target.receipt_wamid && bookkeeping_.with_reply) bookkeeping_.with_reply(target);
    if (sent) {
        throttle_.accepted(target.phone_number_id, target.recipient_wa_id);
        co_await record_acceptance(target, pending, sent.value().wamid, preview, mark);
        auto result = with_message(Outcome::created, std::move(message));
        result.graph_time = graph_time;
        co_return result;
    }

    if (const auto* refusal = sent.refused()) {
        auto error = refusal_json(*refusal);
        co_await record_failure(target, pending, error, false, preview);
        mark_failed_in(message, std::move(error));
        auto result = with_message(Outcome::refused, std::move(message));
        result.refusal = *refusal;
        result.graph_time = graph_time;
        co_return result;
    }

    const auto& failure = *sent.unavailable();
    auto retry_after = failure.retry_after_seconds;
    if (graph::is_account_throttling_code(failure.graph_code)) {
        retry_after = retry_after_seconds(
            throttle_.throttled(target.phone_number_id, target.recipient_wa_id, failure.graph_code));
    }
    auto error = unavailable_json(failure.graph_code, failure.reason);
    co_await record_failure(target, pending, error, true, preview);
    mark_failed_in(message, std::move(error));
    auto result = unavailable(retry_after, std::move(message));
    result.graph_time = graph_time;
    co_return result;
}

boost::asio::awaitable<void> SendService::remember_window(const std::string& conversation_id,
                                                          std::optional<domain::TimePoint> last_inbound_at) {
    if (last_inbound_at) {
        open_windows_.remember(conversation_id, *last_inbound_at + domain::kFreeWindowDuration, clock_());
    }
    co_await cache_.set(free_window_cache_key(conversation_id), encode_expiry(last_inbound_at),
                        std::chrono::duration_cast<std::chrono::seconds>(kFreeWindowCacheTtl));
}

}  // namespace inbox::services
