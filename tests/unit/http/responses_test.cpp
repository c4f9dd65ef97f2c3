#include "inbox/http/api_error.hpp"
#include "inbox/http/responses.hpp"

#include <gtest/gtest.h>

namespace inbox::http {
namespace {

using nlohmann::json;

Request json_request(std::string content_type, std::string body) {
    Request request;
    request.message.method(Verb::post);
    request.message.target("/x");
    if (!content_type.empty()) request.message.set(Field::content_type, content_type);
    request.message.body() = std::move(body);
    return request;
}

template <typename F>
ApiError capture_api_error(F&& f) {
    try {
        f();
    } catch (const ApiError& error) {
        return error;
    }
    ADD_FAILURE() << "no ApiError thrown";
    return ApiError{Status::ok, "", ""};
}

TEST(JsonResponse, SetsStatusJsonContentTypeAndBody) {
    auto response = json_response(Status::created, {{"a", 1}});
    EXPECT_EQ(response.message.result(), Status::created);
    EXPECT_EQ(response.message[Field::content_type], "application/json; charset=utf-8");
    EXPECT_EQ(json::parse(response.message.body()), (json{{"a", 1}}));
}

TEST(JsonResponse, InvalidUtf8IsReplacedInsteadOfThrowing) {
    Response response;
    EXPECT_NO_THROW(response = json_response(Status::ok, {{"text", "bad \xFF byte"}}));
    EXPECT_FALSE(json::parse(response.message.body(), nullptr, false).is_discarded());
}

TEST(ErrorResponse, HasStableErrorShape) {
    auto response = error_response(ApiError::not_found("conversation not found"), "req-1");
    EXPECT_EQ(response.message.result(), Status::not_found);
    EXPECT_EQ(response.message[Field::content_type], "application/json; charset=utf-8");
    auto body = json::parse(response.message.body());
    ASSERT_EQ(body.size(), 1u);
    ASSERT_TRUE(body.contains("error"));
    EXPECT_EQ(body["error"], (json{{"code", "not_found"}, {"message", "conversation not found"}, {"request_id", "req-1"}}));
    EXPECT_FALSE(response.message.count(Field::retry_after));
    EXPECT_FALSE(response.message.count(Field::www_authenticate));
}

TEST(ErrorResponse, ExtraMembersAreMergedIntoErrorObject) {
    ApiError error{Status::unprocessable_entity, "outside_free_window", "window closed",
                   {{"window_expired_at", "2026-11-24T10:00:00Z"}}};
    auto body = json::parse(error_response(error, "r").message.body());
    EXPECT_EQ(body["error"]["code"], "outside_free_window");
    EXPECT_EQ(body["error"]["window_expired_at"], "2026-11-24T10:00:00Z");
    EXPECT_EQ(body["error"]["request_id"], "r");
}

TEST(ErrorResponse, RetryAfterIsWholeSecondsWhenSet) {
    auto response = error_response(ApiError::service_unavailable("down"), "r");
    EXPECT_EQ(response.message.result(), Status::service_unavailable);
    EXPECT_EQ(response.message[Field::retry_after], "1");
    EXPECT_EQ(json::parse(response.message.body())["error"]["code"], "service_unavailable");

    auto custom = error_response(
        ApiError{Status::service_unavailable, "upstream_unavailable", "graph down"}.with_retry_after(30), "r");
    EXPECT_EQ(custom.message[Field::retry_after], "30");
}

TEST(ErrorResponse, UnauthorizedCarriesBearerChallenge) {
    auto response = error_response(ApiError::unauthorized("missing token"), "r");
    EXPECT_EQ(response.message.result(), Status::unauthorized);
    EXPECT_EQ(response.message[Field::www_authenticate], "Bearer");
    EXPECT_EQ(json::parse(response.message.body())["error"]["code"], "unauthorized");
}

TEST(ErrorResponse, ABadWebhookSignatureIsNoBearerChallenge) {
    auto response = error_response(ApiError{Status::unauthorized, "invalid_signature", "bad signature"}, "r");
    EXPECT_EQ(response.message.result(), Status::unauthorized);
    EXPECT_FALSE(response.message.count(Field::www_authenticate));
}

TEST(ErrorResponse, FactoriesUseApiCodes) {
    EXPECT_EQ(ApiError::bad_request("m").code(), "bad_request");
    EXPECT_EQ(ApiError::invalid_json("m").status(), Status::bad_request);
    EXPECT_EQ(ApiError::invalid_parameter("m").code(), "invalid_parameter");
    EXPECT_EQ(ApiError::validation_failed("m").status(), Status::unprocessable_entity);
    EXPECT_EQ(ApiError::unsupported_media_type("m").status(), Status::unsupported_media_type);
    EXPECT_EQ(ApiError::not_found("m").code(), "not_found");
}

TEST(ParseJsonObjectBody, AcceptsApplicationJson) {
    auto body = parse_json_object_body(json_request("application/json", R"({"a":[1,2]})"));
    EXPECT_EQ(body, (json{{"a", {1, 2}}}));
}

TEST(ParseJsonObjectBody, AcceptsCharsetParameterAndAnyCase) {
    EXPECT_NO_THROW(parse_json_object_body(json_request("application/json; charset=utf-8", "{}")));
    EXPECT_NO_THROW(parse_json_object_body(json_request("application/json ; charset=UTF-8", "{}")));
    EXPECT_NO_THROW(parse_json_object_body(json_request("Application/JSON", "{}")));
}

TEST(ParseJsonObjectBody, WrongOrMissingContentTypeIs415) {
    for (const char* type : {"text/plain", "application/x-www-form-urlencoded", "application/jsonx", ""}) {
        auto error = capture_api_error([&] { parse_json_object_body(json_request(type, "{}")); });
        EXPECT_EQ(error.status(), Status::unsupported_media_type) << type;
        EXPECT_EQ(error.code(), "unsupported_media_type") << type;
    }
}

TEST(ParseJsonObjectBody, InvalidJsonIs400InvalidJson) {
    for (const char* text : {"", "{", "{\"a\":}", "nope", "{} trailing"}) {
        auto error = capture_api_error([&] { parse_json_object_body(json_request("application/json", text)); });
        EXPECT_EQ(error.status(), Status::bad_request) << text;
        EXPECT_EQ(error.code(), "invalid_json") << text;
    }
}

TEST(ParseJsonObjectBody, NonObjectJsonIsInvalidJson) {
    for (const char* text : {"[]", "[{\"a\":1}]", "\"s\"", "42", "null", "true"}) {
        auto error = capture_api_error([&] { parse_json_object_body(json_request("application/json", text)); });
        EXPECT_EQ(error.status(), Status::bad_request) << text;
        EXPECT_EQ(error.code(), "invalid_json") << text;
    }
}

TEST(RequestAccessors, PathAndQueryParamsAreDecoded) {
    Request request;
    request.message.target("/x?access_token=a%2Bb&flag&empty=&q=hello%20world");
    request.path_params = {{"id", "a/b"}};
    EXPECT_EQ(request.path_param("id"), "a/b");
    EXPECT_EQ(request.path_param("missing"), "");
    EXPECT_EQ(request.query_param("access_token"), "a+b");
    EXPECT_EQ(request.query_param("q"), "hello world");
    EXPECT_EQ(request.query_param("flag"), "");
    EXPECT_EQ(request.query_param("empty"), "");
    EXPECT_EQ(request.query_param("absent"), std::nullopt);
    EXPECT_TRUE(request.has_query_param("flag"));
    EXPECT_FALSE(request.has_query_param("absent"));
}

}  // namespace
}  // namespace inbox::http
