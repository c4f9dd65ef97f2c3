#include "inbox/api/webhook_routes.hpp"

#include "inbox/auth/random.hpp"
#include "inbox/auth/webhook_signature.hpp"
#include "inbox/http/responses.hpp"
#include "inbox/http/router.hpp"
#include "inbox/services/webhook_ingestor.hpp"

namespace inbox::api {
namespace {

using http::ApiError;
using http::Request;
using http::Response;
using http::Status;

Response verify_subscription(const Request& request, const std::string& verify_token) {
    auto mode = request.query_param("hub.mode");
    auto token = request.query_param("hub.verify_token");
    auto challenge = request.query_param("hub.challenge");
    if (mode != "subscribe" || !token || !challenge || !auth::constant_time_equals(*token, verify_token)) {
        throw ApiError{Status::forbidden, "forbidden", "webhook verification refused"};
    }
    return http::text_response(Status::ok, *challenge);
}

// Signature over the exact bytes first (never parse what we cannot trust), then the JSON object check.
void check_delivery(const Request& request, const std::vector<std::string>& app_secrets) {
    const auto& body = request.message.body();
    if (!auth::verify_webhook_signature(body, request.message["X-Hub-Signature-256"], app_secrets)) {
        throw ApiError{Status::unauthorized, "invalid_signature", "X-Hub-Signature-256 does not match the body"};
    }
    if (!nlohmann::json::accept(body)) throw ApiError::invalid_json("webhook body is not valid JSON");
    auto first = body.find_first_not_of(" \t\r\n");
    if (first == std::string::npos || body[first] != '{') {
        throw ApiError::invalid_json("webhook body must be a JSON object");
    }
}

}  // namespace

void register_webhook_routes(http::Router& router, services::WebhookIngestor& ingestor, WebhookSettings settings) {
    auto shared = std::make_shared<WebhookSettings>(std::move(settings));
    router.add(
        http::Verb::get, "/webhook/whatsapp",
        [shared](Request& request) -> boost::asio::awaitable<Response> {
            co_return verify_subscription(request, shared->verify_token);
        },
        {.requires_auth = false});

    router.add(
        http::Verb::post, "/webhook/whatsapp",
        [shared, &ingestor](Request& request) -> boost::asio::awaitable<Response> {
            check_delivery(request, shared->app_secrets);
            auto id = co_await ingestor.ingest(std::move(request.message.body()));
            if (shared->on_committed) shared->on_committed(id);
            co_return http::json_response(Status::ok, {{"status", "received"}});
        },
        {.body_limit = http::kWebhookBodyLimit, .requires_auth = false});
}

}  // namespace inbox::api
