#include "inbox/api/media_routes.hpp"

#include "inbox/api/query_params.hpp"
#include "inbox/http/byte_range.hpp"
#include "inbox/http/responses.hpp"
#include "inbox/http/router.hpp"
#include "inbox/media/serving_policy.hpp"
#include "inbox/services/media_service.hpp"

namespace inbox::api {
namespace {

using http::ApiError;
using http::Request;
using http::Response;
using http::Status;
using Outcome = services::MediaAnswer::Outcome;

constexpr int kMaxWaitSeconds = 10;

std::chrono::milliseconds wait_of(const Request& request) {
    auto text = request.query_param("wait");
    if (!text) return std::chrono::milliseconds::zero();
    auto seconds = parse_int_in_range(*text, 0, kMaxWaitSeconds);
    if (!seconds) throw ApiError::invalid_parameter("wait must be a whole number of seconds from 0 to 10");
    return std::chrono::seconds(*seconds);
}

Response media_response(const services::MediaAnswer& answer) {
    switch (answer.outcome) {
        case Outcome::stored: {
            auto response = http::json_response(Status::found, {{"status", "stored"}, {"url", answer.location}});
            response.message.set(http::Field::location, answer.location);
            response.message.set(http::Field::cache_control, "private, no-store");  // the URL expires
            return response;
        }
        case Outcome::pending: {
            auto response = http::json_response(Status::accepted, {{"status", "pending"}});
            response.message.set(http::Field::retry_after, "1");
            return response;
        }
        case Outcome::no_media:
            throw ApiError{Status::not_found, "no_media", "this message has no media"};
        case Outcome::not_found:
            throw ApiError::not_found("message not found");
        case Outcome::expired:
            throw ApiError{Status::gone, "media_expired", "WhatsApp no longer has this media (ids live 7 days)"};
        case Outcome::failed:
            throw ApiError::upstream_error("the media could not be downloaded from WhatsApp");
    }
    throw ApiError::not_found("message not found");
}

// The bytes of a signed URL: ETag (the content's SHA-256), If-None-Match → 304, one Range → 206 or 416.
Response file_response(const Request& request, services::SignedMedia signed_media) {
    using SignedOutcome = services::SignedMedia::Outcome;
    switch (signed_media.outcome) {
        case SignedOutcome::invalid_signature:
            throw ApiError{Status::forbidden, "invalid_signature", "the media URL's signature is not valid"};
        case SignedOutcome::url_expired:
            throw ApiError{Status::forbidden, "url_expired", "the media URL has expired; ask for a new one"};
        case SignedOutcome::not_found:
            throw ApiError::not_found("no such media");
        case SignedOutcome::ok:
            break;
    }
    auto& media = *signed_media.media;
    const auto etag = "\"" + std::string(request.path_param("key")) + "\"";
    Response response;
    response.message.set(http::Field::etag, etag);
    response.message.set(http::Field::cache_control, "private, max-age=3600");
    response.message.set(http::Field::accept_ranges, "bytes");
    if (http::etag_matches(request.header(http::Field::if_none_match), etag)) {
        response.message.result(Status::not_modified);
        return response;
    }
    const auto range = http::parse_byte_range(request.header(http::Field::range), media.size);
    if (range.kind == http::ByteRange::Kind::unsatisfiable) {
        auto error =
            http::error_response(ApiError{Status::range_not_satisfiable, "range_not_satisfiable",
                                          "the range is outside the media's " + std::to_string(media.size) + " bytes"},
                                 request.request_id);
        error.message.set(http::Field::content_range, "bytes */" + std::to_string(media.size));
        return error;
    }
    const auto policy = media::serving_policy(media.mime_type, signed_media.filename);
    response.message.set(http::Field::content_type, policy.content_type);
    response.message.set(http::Field::content_disposition, policy.content_disposition);
    http::FileBody body{std::move(media.file), 0, media.size};
    if (range.kind == http::ByteRange::Kind::satisfiable) {
        response.message.result(Status::partial_content);
        response.message.set(http::Field::content_range, "bytes " + std::to_string(range.first) + "-" +
                                                             std::to_string(range.last) + "/" +
                                                             std::to_string(media.size));
        body.offset = range.first;
        body.length = range.length();
    } else {
        response.message.result(Status::ok);
    }
    response.file = std::move(body);
    return response;
}

Response check_response(const services::CheckMediaAnswer& answer) {
    using CheckOutcome = services::CheckMediaAnswer::Outcome;
    if (answer.outcome == CheckOutcome::not_found) throw ApiError::not_found("conversation not found");
    if (answer.outcome == CheckOutcome::started) return http::json_response(Status::accepted, {{"status", "started"}});
    return http::json_response(
        Status::accepted,
        {{"status", "skipped"}, {"reason", "recently_checked"}, {"retry_after_seconds", answer.retry_after_seconds}});
}

// Every answer of the media origin, errors included: never sniffed, never allowed to run anything.
Response with_media_headers(Response response) {
    response.message.set("X-Content-Type-Options", "nosniff");
    response.message.set("Content-Security-Policy", media::kMediaContentSecurityPolicy);
    return response;
}

Response serve_signed(const Request& request, const services::MediaService& media) {
    const auto expires = request.query_param("expires").value_or("");
    const auto sig = request.query_param("sig").value_or("");
    try {
        return with_media_headers(
            file_response(request, media.open_signed(request.path_param("key"), expires, sig, request.query_param("name"))));
    } catch (const ApiError& error) {
        return with_media_headers(http::error_response(error, request.request_id));
    }
}

}  // namespace

void register_media_routes(http::Router& router, services::MediaService& media) {
    router.add(http::Verb::get, "/messages/media/{message_id}",
               [&media](Request& request) -> boost::asio::awaitable<Response> {
                   auto message_id = path_uuid(request, "message_id", "message");
                   const auto wait = wait_of(request);
                   auto answer = co_await media.media(*request.user_id, std::move(message_id), wait);
                   co_return media_response(answer);
               });

    // No body: a check takes nothing but the conversation, so no Content-Type is required either.
    router.add(http::Verb::post, "/messages/check-media/{conversation_id}",
               [&media](Request& request) -> boost::asio::awaitable<Response> {
                   auto conversation_id = path_uuid(request, "conversation_id", "conversation");
                   auto answer = co_await media.check_conversation(*request.user_id, std::move(conversation_id));
                   co_return check_response(answer);
               });

    // The signature is the credential: no bearer token (an <img src> cannot send one).
    const http::RouteOptions signed_url{.requires_auth = false};
    router.add(
        http::Verb::get, "/media/{key}",
        [&media](Request& request) -> boost::asio::awaitable<Response> { co_return serve_signed(request, media); },
        signed_url);
}

}  // namespace inbox::api
