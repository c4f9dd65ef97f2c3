#include "inbox/http/responses.hpp"

#include "inbox/domain/json_limits.hpp"

#include <boost/beast/core/string.hpp>

namespace inbox::http {

Response json_response(Status status, const nlohmann::json& body) {
    Response response;
    response.message.result(status);
    response.message.set(Field::content_type, kJsonContentType);
    response.message.body() = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return response;
}

Response json_text_response(Status status, std::string body) {
    return text_response(status, std::move(body), kJsonContentType);
}

Response text_response(Status status, std::string body, std::string_view content_type) {
    Response response;
    response.message.result(status);
    response.message.set(Field::content_type, content_type);
    response.message.body() = std::move(body);
    return response;
}

Response error_response(const ApiError& error, std::string_view request_id) {
    nlohmann::json body_error = {{"code", error.code()}, {"message", error.message()}, {"request_id", request_id}};
    for (const auto& [key, value] : error.extra().items()) body_error[key] = value;
    auto response = json_response(error.status(), {{"error", body_error}});
    if (error.retry_after() > 0) response.message.set(Field::retry_after, std::to_string(error.retry_after()));
    // The bearer challenge belongs to token failures only: a webhook's bad HMAC (invalid_signature) is no invitation
    // to send a JWT.
    if (error.code() == "unauthorized") response.message.set(Field::www_authenticate, "Bearer");
    return response;
}

nlohmann::json parse_json_object_body(const Request& request) {
    auto content_type = request.header(Field::content_type);
    auto media_type = content_type.substr(0, content_type.find(';'));
    while (!media_type.empty() && media_type.back() == ' ') media_type.remove_suffix(1);
    if (!boost::beast::iequals(media_type, "application/json")) {
        throw ApiError::unsupported_media_type("request body must be sent as application/json");
    }
    if (auto exceeded = domain::json_limit_exceeded(request.message.body(), domain::kApiBodyJsonLimits)) {
        throw ApiError::invalid_json("request body refused: " + *exceeded);
    }
    auto body = nlohmann::json::parse(request.message.body(), nullptr, /*allow_exceptions=*/false);
    if (body.is_discarded()) throw ApiError::invalid_json("request body is not valid JSON");
    if (!body.is_object()) throw ApiError::invalid_json("request body must be a JSON object");
    return body;
}

}  // namespace inbox::http
