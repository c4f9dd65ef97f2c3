#include "inbox/api/send_routes.hpp"

#include <spdlog/spdlog.h>

#include "inbox/api/json_views.hpp"
#include "inbox/api/send_request.hpp"
#include "inbox/api/upstream_errors.hpp"
#include "inbox/api/window_error.hpp"
#include "inbox/domain/time.hpp"
#include "inbox/http/responses.hpp"
#include "inbox/http/router.hpp"
#include "inbox/services/inbox_service.hpp"
#include "inbox/services/send_service.hpp"

namespace inbox::api {
namespace {

using http::ApiError;
using http::Request;
using http::Response;
using http::Status;
using Outcome = services::SendResult::Outcome;

services::SendRequest send_request_of(const Request& request, services::SendRoute route) {
    auto body = http::parse_json_object_body(request);
    auto key = parse_idempotency_key(request);
    auto parsed = parse_send_body(body, route == services::SendRoute::text);
    services::SendRequest send;
    send.route = route;
    send.user_id = *request.user_id;
    send.conversation_id = std::move(parsed.conversation_id);
    send.text = std::move(parsed.text);
    send.upload_id = std::move(parsed.upload_id);
    send.reply_to = std::move(parsed.reply_to);
    send.idempotency_key = std::move(key);
    return send;
}

// 502 and 503 name the stored failed message, so a client can show it (and repeat under the same key).
nlohmann::json message_extra(const services::SendResult& result) {
    auto extra = nlohmann::json::object();
    if (result.message) extra["message_id"] = result.message->id;
    return extra;
}

[[noreturn]] void throw_error_of(const services::SendResult& result) {
    switch (result.outcome) {
        case Outcome::not_found:
            throw ApiError::not_found(result.problem.empty() ? "conversation not found" : result.problem);
        case Outcome::conflict:
            throw ApiError{Status::conflict, "conflict",
                           "this Idempotency-Key was already used for a different request"};
        case Outcome::validation_failed:
            throw ApiError::validation_failed(result.problem);
        case Outcome::outside_free_window:
            throw outside_free_window_error(result.window_expired_at,
                                            "the 24 h customer service window is closed: only a template can be sent");
        case Outcome::no_approved_template:
            if (!result.problem.empty()) {
                throw ApiError{Status::unprocessable_entity, "no_approved_template", result.problem};
            }
            throw ApiError{Status::unprocessable_entity, "no_approved_template",
                           "the 24 h window is closed and the account has no APPROVED template with exactly one body "
                           "parameter; one has been submitted for Meta's review"};
        case Outcome::refused: {
            auto error = upstream_error(*result.refusal);
            auto extra = error.extra();
            extra.update(message_extra(result));
            throw ApiError{error.status(), error.code(), error.message(), std::move(extra)};
        }
        case Outcome::unavailable:
            throw ApiError{Status::service_unavailable, "upstream_unavailable",
                           "the WhatsApp Graph API is unavailable, retry later", message_extra(result)}
                .with_retry_after(static_cast<unsigned>(result.retry_after_seconds));
        case Outcome::created:
        case Outcome::repeated:
            break;
    }
    throw std::logic_error("send: no error for a successful outcome");
}

Status status_of(const services::SendResult& result) {
    if (result.outcome == Outcome::created) return Status::created;
    if (result.outcome == Outcome::repeated) return Status::ok;
    throw_error_of(result);
}

Response send_response(const services::SendResult& result) {
    const auto status = status_of(result);
    http::JsonWriter out;
    out.begin_object().key("message");
    write_message(out, *result.message);
    out.end_object();
    return http::json_text_response(status, out.take());
}

// {"message", "mode": "text" | "template", "template": null | {name, language}}: the mode is what was stored.
Response auto_template_response(const services::SendResult& result) {
    const auto status = status_of(result);
    const auto& message = *result.message;
    http::JsonWriter out;
    out.begin_object().key("message");
    write_message(out, message);
    out.key("mode").string(message.template_ref ? "template" : "text").key("template");
    if (message.template_ref) {
        out.begin_object()
            .key("name").string(message.template_ref->name)
            .key("language").string(message.template_ref->language)
            .end_object();
    } else {
        out.null();
    }
    out.end_object();
    return http::json_text_response(status, out.take());
}

services::SendRequest template_send_request_of(const Request& request) {
    auto body = http::parse_json_object_body(request);
    auto key = parse_idempotency_key(request);
    auto parsed = parse_template_send_body(body);
    services::SendRequest send;
    send.route = services::SendRoute::template_message;
    send.user_id = *request.user_id;
    if (parsed.conversation_id) {
        send.conversation_id = std::move(*parsed.conversation_id);
    } else {
        send.to_number = services::NewConversation{std::move(*parsed.account_id), std::move(*parsed.wa_id)};
    }
    send.template_send =
        services::TemplateSend{std::move(parsed.name), std::move(parsed.language), std::move(parsed.values)};
    send.idempotency_key = std::move(key);
    return send;
}

// {"message", "conversation"}: the conversation as it is after the send (a new one for a number).
Response template_send_response(const services::SendResult& result,
                                const std::optional<services::ConversationView>& conversation) {
    const auto status = status_of(result);
    http::JsonWriter out;
    out.begin_object().key("message");
    write_message(out, *result.message);
    out.key("conversation");
    if (conversation) {
        write_conversation(out, *conversation);
    } else {
        out.null();
    }
    out.end_object();
    return http::json_text_response(status, out.take());
}

}  // namespace

void register_send_routes(http::Router& router, services::SendService& sends, services::InboxService& inbox) {
    router.add(http::Verb::post, "/messages/send", [&sends](Request& request) -> boost::asio::awaitable<Response> {
        auto result = co_await sends.send(send_request_of(request, services::SendRoute::text));
        co_return send_response(result);
    });

    router.add(http::Verb::post, "/messages/send-with-auto-template",
               [&sends](Request& request) -> boost::asio::awaitable<Response> {
                   auto result = co_await sends.send(send_request_of(request, services::SendRoute::auto_template));
                   co_return auto_template_response(result);
               });

    router.add(http::Verb::post, "/messages/send-template",
               [&sends, &inbox](Request& request) -> boost::asio::awaitable<Response> {
                   auto result = co_await sends.send(template_send_request_of(request));
                   std::optional<services::ConversationView> conversation;
                   // The send stands whatever happens here: a conversation that cannot be read now (Postgres
                   // away) answers null, never a 503 for a message Meta has (the client would resend it).
                   try {
                       if (result.message) {
                           conversation = co_await inbox.conversation(*request.user_id, result.conversation_id);
                       }
                   } catch (const std::exception& error) {
                       spdlog::warn("send-template {}: sent, but its conversation could not be read: {}",
                                    result.message->id, error.what());
                   }
                   co_return template_send_response(result, conversation);
               });
}

}  // namespace inbox::api
