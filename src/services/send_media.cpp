// SendService's media sends (API.md Part 2, "Sending media"): an upload of the conversation's account, sent inside
// the free window with the same idempotency and failure rules as text. The message is stored with its media in our
// store from the start; Meta gets the bytes once per account (its media id is kept on the upload for 29 days) and
// then the message by id, so a repeat under the same key neither uploads nor sends again.
#include "inbox/services/send_service.hpp"

#include <spdlog/spdlog.h>

#include "inbox/domain/free_window.hpp"
#include "inbox/graph/graph_api.hpp"
#include "inbox/media/media_store.hpp"
#include "inbox/storage/upload_repository.hpp"
#include "send_drafts.hpp"
#include "send_results.hpp"

namespace inbox::services {
namespace {

using MediaOutcome = SendResult::Outcome;

storage::OutboundDraft media_draft_of(const storage::StoredUpload& upload, const std::string& caption) {
    storage::OutboundDraft draft;
    draft.type = upload.kind;
    draft.text = caption;
    draft.media = send_drafts::media_of(upload);
    return draft;
}

bool takes_caption(const std::string& kind) { return kind != "audio" && kind != "sticker"; }

}  // namespace

boost::asio::awaitable<SendResult> SendService::send_media(const SendRequest& request,
                                                           const std::optional<storage::IdempotencyKey>& key,
                                                           const std::optional<domain::ReplyTo>& reply) {
    using send_results::answer;
    using send_results::answer_because;
    std::optional<storage::StoredUpload> upload;
    if (bookkeeping_.uploads && bookkeeping_.media_store) {
        upload = co_await bookkeeping_.uploads->find(request.user_id, *request.upload_id);
    }
    if (!upload) co_return answer_because(MediaOutcome::not_found, "upload not found");
    if (!request.text.empty() && !takes_caption(upload->kind)) {
        co_return answer_because(MediaOutcome::validation_failed,
                                 "caption is not allowed for " + upload->kind + " messages");
    }
    std::optional<std::string> key_text;
    if (key) key_text = key->key;
    auto context = co_await outbound_.load_context(request.user_id, request.conversation_id, std::move(key_text));
    if (!context) co_return answer(MediaOutcome::not_found);
    // An upload of another account is as unknown here as one that does not exist.
    if (context->target.account_id != upload->account_id) {
        co_return answer_because(MediaOutcome::not_found, "upload not found");
    }
    co_await remember_window(request.conversation_id, context->last_inbound_at);
    const auto window = domain::free_window(context->last_inbound_at, clock_());
    auto draft = media_draft_of(*upload, request.text);
    draft.reply_to = reply;

    if (auto existing = std::move(context->existing)) {
        std::optional<storage::OutboundDraft> retry;
        if (window.open) retry = draft;
        co_return co_await repeat(request, context->target, std::move(existing), *key, std::move(retry));
    }
    if (!window.open) {
        auto closed = answer(MediaOutcome::outside_free_window);
        closed.window_expired_at = window.expires_at;
        co_return closed;
    }
    co_return co_await insert_and_dispatch(request, draft, key);
}

boost::asio::awaitable<graph::GraphResult<graph::UploadedMedia>> SendService::graph_media_of(
    const storage::SendTarget& target, const storage::OutboundDraft& draft) {
    const auto& media = *draft.media;
    if (media.graph_media_id) co_return graph::UploadedMedia{*media.graph_media_id};
    graph::MediaFile file;
    file.path = bookkeeping_.media_store->path_of(media.sha256).string();
    file.size = media.file_size;
    file.mime_type = media.mime_type;
    file.filename = media.filename.value_or(draft.type + "-" + media.upload_id.substr(0, 8));
    auto uploaded = co_await graph_.upload_media(target.phone_number_id, target.access_token, std::move(file));
    if (!uploaded) co_return uploaded;
    try {
        co_await bookkeeping_.uploads->remember_graph_media_id(media.upload_id, uploaded.value().id);
    } catch (const std::exception& error) {
        // The send goes on; a later send of this upload uploads the bytes again.
        spdlog::warn("upload {}: Meta's media id {} not remembered: {}", media.upload_id, uploaded.value().id,
                     error.what());
    }
    co_return uploaded;
}

// A failed upload fails the send with Meta's refusal (502) or as unavailable (503).
boost::asio::awaitable<graph::GraphResult<graph::SentMessage>> SendService::send_media_to_meta(
    const storage::SendTarget& target, graph::MessageEnvelope envelope, const storage::OutboundDraft& draft) {
    auto media = co_await graph_media_of(target, draft);
    if (const auto* refusal = media.refused()) co_return *refusal;
    if (const auto* unavailable = media.unavailable()) co_return *unavailable;
    graph::OutboundMedia outbound;
    outbound.kind = draft.type;
    outbound.media_id = media.value().id;
    if (!draft.text.empty()) outbound.caption = draft.text;
    if (draft.type == "document") outbound.filename = draft.media->filename;
    co_return co_await graph_.send_media(target.phone_number_id, target.access_token, std::move(envelope),
                                         std::move(outbound));
}

}  // namespace inbox::services
