#include "inbox/api/reaction_routes.hpp"

#include "inbox/api/json_views.hpp"
#include "inbox/api/query_params.hpp"
#include "inbox/api/upstream_errors.hpp"
#include "inbox/api/window_error.hpp"
#include "inbox/domain/emoji.hpp"
#include "inbox/domain/time.hpp"
#include "inbox/http/responses.hpp"
#include "inbox/http/router.hpp"
#include "inbox/services/reaction_service.hpp"

namespace inbox::api {
namespace {

using http::ApiError;
using http::Request;
using http::Response;
using http::Status;
using Outcome = services::ReactionResult::Outcome;

// {"emoji": "👍"}: one emoji as a person sees it, or "" to remove ours.
std::string emoji_of(const Request& request) {
    auto body = http::parse_json_object_body(request);
    const auto found = body.find("emoji");
    if (found == body.end() || !found->is_string()) {
        throw ApiError::validation_failed("emoji is required and must be a string (\"\" removes your reaction)");
    }
    auto emoji = found->get<std::string>();
    if (!emoji.empty() && !domain::is_one_emoji(emoji)) {
        throw ApiError::validation_failed("emoji must be exactly one emoji (or \"\" to remove your reaction)");
    }
    return emoji;
}

Response reaction_response(const services::ReactionResult& result) {
    switch (result.outcome) {
        case Outcome::reacted: {
            http::JsonWriter out;
            out.begin_object().key("message");
            write_message(out, *result.message);
            out.end_object();
            return http::json_text_response(Status::ok, out.take());
        }
        case Outcome::not_found:
            throw ApiError::not_found("message not found");
        case Outcome::validation_failed:
            throw ApiError::validation_failed("this message has no wa_message_id: WhatsApp does not have it");
        case Outcome::outside_free_window:
            throw outside_free_window_error(result.window_expired_at,
                                            "the 24 h customer service window is closed: reactions cannot be sent");
        case Outcome::refused:
            throw upstream_error(*result.refusal);
        case Outcome::unavailable:
            throw upstream_unavailable(*result.unavailable);
    }
    throw ApiError::not_found("message not found");
}

}  // namespace

void register_reaction_routes(http::Router& router, services::ReactionService& reactions) {
    router.add(http::Verb::post, "/messages/{message_id}/reactions",
               [&reactions](Request& request) -> boost::asio::awaitable<Response> {
                   auto message_id = path_uuid(request, "message_id", "message");
                   auto emoji = emoji_of(request);
                   auto result = co_await reactions.react(*request.user_id, std::move(message_id), std::move(emoji));
                   co_return reaction_response(result);
               });
}

}  // namespace inbox::api
