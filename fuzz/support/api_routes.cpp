#include "support/api_routes.hpp"

namespace inbox::fuzz {
namespace {

http::Router make_api_router() {
    using http::Verb;
    const http::Handler never_called;
    const http::RouteOptions api{};
    const http::RouteOptions webhook{.body_limit = http::kWebhookBodyLimit, .requires_auth = false};

    // Keep in step with the router.add calls of src/api/*_routes.cpp (`grep -n 'router.add(' -A3 src/api/*.cpp`).
    http::Router router;
    router.add(Verb::get, "/accounts", never_called, api);
    router.add(Verb::get, "/accounts/{account_id}/conversations", never_called, api);
    router.add(Verb::get, "/accounts/{account_id}/events", never_called, {.token_in_query = true});
    router.add(Verb::get, "/accounts/{account_id}/templates", never_called, api);
    router.add(Verb::post, "/accounts/{account_id}/templates/sync", never_called, api);
    router.add(Verb::get, "/contacts/{contact_id}/whatsapp-info", never_called, api);
    router.add(Verb::get, "/conversations/{conversation_id}", never_called, api);
    router.add(Verb::get, "/conversations/{conversation_id}/messages", never_called, api);
    router.add(Verb::post, "/conversations/{conversation_id}/read", never_called, api);
    router.add(Verb::get, "/messages/media/{message_id}", never_called, api);
    router.add(Verb::post, "/messages/check-media/{conversation_id}", never_called, api);
    router.add(Verb::post, "/messages/send", never_called, api);
    router.add(Verb::post, "/messages/send-with-auto-template", never_called, api);
    router.add(Verb::get, "/media/{key}", never_called, {.requires_auth = false});
    router.add(Verb::head, "/media/{key}", never_called, {.requires_auth = false});
    const http::RouteOptions operations{.requires_auth = false, .sheddable = false};
    router.add(Verb::get, "/health", never_called, operations);
    router.add(Verb::get, "/ready", never_called, operations);
    router.add(Verb::get, "/metrics", never_called, operations);
    router.add(Verb::get, "/webhook/whatsapp", never_called, {.requires_auth = false});
    router.add(Verb::post, "/webhook/whatsapp", never_called, webhook);
    return router;
}

}  // namespace

const http::Router& api_router() {
    static const http::Router router = make_api_router();
    return router;
}

}  // namespace inbox::fuzz
