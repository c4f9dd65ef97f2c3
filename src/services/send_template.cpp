// SendService's template sends (API.md Part 2, "Templates with components, and new conversations"): a template
// stored for the account as APPROVED, filled exactly as its synced components ask (header text or media, body
// parameters, button parameters), sent inside or outside the window, to a conversation or to a number that may
// never have written. Idempotency, the pending row and Meta's refusals are as for every send (send_service.cpp):
// Meta's 132000 / 132001 / 131026 are refusals, so the message is stored `failed` and the answer is 502.
#include <spdlog/spdlog.h>

#include "inbox/domain/outbound_text.hpp"
#include "inbox/graph/graph_api.hpp"
#include "inbox/services/send_service.hpp"
#include "inbox/services/template_service.hpp"
#include "inbox/storage/upload_repository.hpp"
#include "send_drafts.hpp"
#include "send_results.hpp"

namespace inbox::services {
namespace {

using TemplateOutcome = SendResult::Outcome;

// The components Meta wants for checked values (domain::fit_to), in the template's order: header, body, then each
// button that takes a parameter.
graph::OutboundTemplate outbound_template(const domain::TemplateRef& ref, const domain::TemplateValues& values,
                                          const std::optional<std::string>& header_media_id,
                                          const std::optional<std::string>& header_filename) {
    graph::OutboundTemplate outbound{ref.name, ref.language, {}};
    if (values.header && values.header->text) {
        outbound.components.push_back(
            {"header", std::nullopt, std::nullopt,
             {{"text", domain::template_parameter_text(*values.header->text), std::nullopt}}});
    } else if (values.header && header_media_id) {
        const auto& kind = values.header->media_kind;
        std::optional<std::string> filename;
        if (kind == "document") filename = header_filename;
        outbound.components.push_back({"header", std::nullopt, std::nullopt, {{kind, *header_media_id, filename}}});
    }
    if (!values.body.empty()) {
        graph::TemplateComponentValues body{"body", std::nullopt, std::nullopt, {}};
        for (const auto& value : values.body) {
            body.parameters.push_back({"text", domain::template_parameter_text(value), std::nullopt});
        }
        outbound.components.push_back(std::move(body));
    }
    for (const auto& button : values.buttons) {
        const bool code = button.type == "COPY_CODE";
        outbound.components.push_back({"button", code ? "copy_code" : "url", button.index,
                                       {{code ? "coupon_code" : "text", button.text, std::nullopt}}});
    }
    return outbound;
}

// Not in the coroutine: GCC 12 mishandles braced lists there (docs/ARCHITECTURE.md).
graph::OutboundTemplate re_engagement_template(const domain::TemplateRef& ref, const std::string& text) {
    return graph::body_only_template(ref.name, ref.language, {domain::template_parameter_text(text)});
}

std::string not_approved(const TemplateSend& spec, const std::optional<domain::StoredTemplate>& stored) {
    const auto named = "template " + spec.name + " (" + spec.language + ")";
    if (!stored) return named + " is not stored for this account (sync the templates first)";
    return named + " is " + stored->status + ", not APPROVED";
}

}  // namespace

boost::asio::awaitable<SendResult> SendService::send_template_message(const SendRequest& request,
                                                                      const std::optional<storage::IdempotencyKey>& key) {
    using send_results::answer;
    std::optional<std::string> key_text;
    if (key) key_text = key->key;
    auto context = co_await outbound_.load_context(request.user_id, request.conversation_id, std::move(key_text));
    if (!context) co_return answer(TemplateOutcome::not_found);
    co_await remember_window(request.conversation_id, context->last_inbound_at);

    // A finished request under this key answers what is stored, whatever became of the template since.
    if (auto existing = std::move(context->existing)) {
        std::optional<storage::OutboundDraft> retry;
        if (existing->request_fingerprint == key->request_fingerprint &&
            (existing->retryable || orphaned(*existing, key_in_flight(request, *key)))) {
            auto decision = co_await decide_template_message(request, context->target);
            if (!decision.draft) co_return decision.answer;
            retry = std::move(decision.draft);
        }
        co_return co_await repeat(request, context->target, std::move(existing), *key, std::move(retry));
    }
    auto decision = co_await decide_template_message(request, context->target);
    if (!decision.draft) co_return decision.answer;
    co_return co_await insert_and_dispatch(request, *decision.draft, key);
}

boost::asio::awaitable<SendService::Decision> SendService::decide_template_message(const SendRequest& request,
                                                                                   const storage::SendTarget& target) {
    using send_results::answer_because;
    const auto& spec = *request.template_send;
    Decision decision;
    auto stored = co_await templates_.find(target.account_id, spec.name, spec.language);
    if (!stored || stored->status != "APPROVED") {
        decision.answer = answer_because(TemplateOutcome::no_approved_template, not_approved(spec, stored));
        co_return decision;
    }
    const auto shape = domain::template_shape_of(stored->components_json.value_or(""), stored->body_text.value_or(""));
    if (auto problem = domain::template_values_problem(shape, spec.values)) {
        decision.answer = answer_because(TemplateOutcome::validation_failed, std::move(*problem));
        co_return decision;
    }
    storage::OutboundDraft draft;
    draft.type = "template";
    draft.text = domain::filled_template_body(shape.body_text, spec.values.body);
    draft.template_ref = domain::TemplateRef{stored->name, stored->language};
    draft.template_values = domain::fit_to(shape, spec.values);

    if (spec.values.header && spec.values.header->upload_id) {
        std::optional<storage::StoredUpload> upload;
        if (bookkeeping_.uploads && bookkeeping_.media_store) {
            upload = co_await bookkeeping_.uploads->find(request.user_id, *spec.values.header->upload_id);
        }
        // An upload of another account is as unknown here as one that does not exist.
        if (!upload || upload->account_id != target.account_id) {
            decision.answer = answer_because(TemplateOutcome::not_found, "upload not found");
            co_return decision;
        }
        const auto kind = domain::header_media_kind(shape.header_format).value_or("");
        if (upload->kind != kind) {
            decision.answer = answer_because(TemplateOutcome::validation_failed,
                                             "header: this template's header takes an " + std::string(kind) +
                                                 " upload, not a " + upload->kind);
            co_return decision;
        }
        draft.media = send_drafts::media_of(*upload);
    }
    decision.draft = std::move(draft);
    co_return decision;
}

boost::asio::awaitable<graph::GraphResult<graph::SentMessage>> SendService::send_template_to_meta(
    const SendRequest& request, const storage::SendTarget& target, graph::MessageEnvelope envelope,
    const storage::OutboundDraft& draft) {
    if (!draft.template_values) {
        // The auto-template route: the re-engagement template's one body parameter is the request's text.
        co_return co_await graph_.send_template(target.phone_number_id, target.access_token, std::move(envelope),
                                                re_engagement_template(*draft.template_ref, request.text));
    }
    std::optional<std::string> header_media_id;
    std::optional<std::string> header_filename;
    if (draft.media) {
        auto media = co_await graph_media_of(target, draft);
        if (const auto* refusal = media.refused()) co_return *refusal;
        if (const auto* unavailable = media.unavailable()) co_return *unavailable;
        header_media_id = media.value().id;
        header_filename = draft.media->filename;
    }
    co_return co_await graph_.send_template(
        target.phone_number_id, target.access_token, std::move(envelope),
        outbound_template(*draft.template_ref, *draft.template_values, header_media_id, header_filename));
}

}  // namespace inbox::services
