// Routing, error shape, request ids, auth, exception mapping, HEAD and metrics over real sockets.
#include "server_fixture.hpp"

namespace inbox::http::testing {
namespace {

using ErrorsTest = HttpServerTest;

bool looks_generated(std::string_view id) {
    return id.size() == 32 && id.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

TEST_F(ErrorsTest, KnownRouteAnswers200WithJson) {
    auto response = roundtrip(get_request("/echo/abc%20d?x=1"));
    EXPECT_EQ(response.result_int(), 200u);
    EXPECT_EQ(response[bhttp::field::content_type], "application/json; charset=utf-8");
    EXPECT_EQ(body_json(response), (nlohmann::json{{"id", "abc d"}}));
    EXPECT_FALSE(response["X-Request-Id"].empty());
}

TEST_F(ErrorsTest, UnknownPathAnswers404WithErrorShape) {
    auto response = roundtrip(get_request("/does/not/exist"));
    expect_error(response, 404, "not_found");
    EXPECT_TRUE(response.keep_alive());
}

TEST_F(ErrorsTest, WrongMethodAnswers405WithAllowListingEveryMethod) {
    auto response = roundtrip("DELETE /echo/1 HTTP/1.1\r\nHost: x\r\n\r\n");
    expect_error(response, 405, "method_not_allowed");
    EXPECT_EQ(response[bhttp::field::allow], "GET, HEAD, POST");
}

TEST_F(ErrorsTest, SaneRequestIdIsEchoedOnSuccessAndErrors) {
    auto ok = roundtrip(get_request("/echo/1", "X-Request-Id: client-42.a_B\r\n"));
    EXPECT_EQ(ok["X-Request-Id"], "client-42.a_B");
    auto missing = roundtrip(get_request("/missing", "X-Request-Id: client-43\r\n"));
    EXPECT_EQ(missing["X-Request-Id"], "client-43");
    EXPECT_EQ(body_json(missing)["error"]["request_id"], "client-43");
    auto longest = std::string(128, 'r');
    EXPECT_EQ(roundtrip(get_request("/echo/1", "X-Request-Id: " + longest + "\r\n"))["X-Request-Id"], longest);
}

TEST_F(ErrorsTest, InsaneRequestIdIsReplacedByGeneratedOne) {
    for (const std::string& value : {std::string(129, 'r'), std::string("has space"), std::string("a/b"),
                                     std::string("x;y"), std::string("<script>")}) {
        auto response = roundtrip(get_request("/missing", "X-Request-Id: " + value + "\r\n"));
        auto id = std::string(response["X-Request-Id"]);
        EXPECT_NE(id, value);
        EXPECT_TRUE(looks_generated(id)) << id;
        EXPECT_EQ(body_json(response)["error"]["request_id"], id);
    }
}

TEST_F(ErrorsTest, MissingRequestIdGetsAFreshOnePerRequest) {
    auto client = connect();
    ASSERT_TRUE(client->send(get_request("/echo/1") + get_request("/echo/2")));
    auto first = client->read_response();
    auto second = client->read_response();
    ASSERT_TRUE(first && second);
    EXPECT_TRUE(looks_generated((*first)["X-Request-Id"]));
    EXPECT_TRUE(looks_generated((*second)["X-Request-Id"]));
    EXPECT_NE((*first)["X-Request-Id"], (*second)["X-Request-Id"]);
}

TEST_F(ErrorsTest, MissingTokenAnswers401WithBearerChallenge) {
    auto response = roundtrip(get_request("/private"));
    expect_error(response, 401, "unauthorized");
    EXPECT_EQ(response[bhttp::field::www_authenticate], "Bearer");
}

TEST_F(ErrorsTest, InvalidTokenAnswers401WithBearerChallenge) {
    for (const char* header : {"Authorization: Bearer bad\r\n", "Authorization: Basic Z29vZDo=\r\n",
                               "Authorization: Bearer\r\n", "Authorization: good\r\n"}) {
        auto response = roundtrip(get_request("/private", header));
        expect_error(response, 401, "unauthorized");
        EXPECT_EQ(response[bhttp::field::www_authenticate], "Bearer") << header;
    }
}

TEST_F(ErrorsTest, GoodTokenReachesAuthedRoute) {
    auto response = roundtrip(get_request("/private", "Authorization: Bearer good\r\n"));
    EXPECT_EQ(response.result_int(), 200u);
    EXPECT_EQ(body_json(response), (nlohmann::json{{"user", "user-1"}}));
    EXPECT_EQ(response.count(bhttp::field::www_authenticate), 0u);
}

TEST_F(ErrorsTest, UnavailableErrorAnswers503WithRetryAfter) {
    auto response = roundtrip(get_request("/unavailable"));
    expect_error(response, 503, "service_unavailable");
    auto retry_after = std::string(response[bhttp::field::retry_after]);
    ASSERT_FALSE(retry_after.empty());
    EXPECT_EQ(retry_after.find_first_not_of("0123456789"), std::string::npos) << retry_after;
    EXPECT_EQ(response.body().find("secret-host"), std::string::npos);
}

TEST_F(ErrorsTest, RuntimeErrorAnswers500InternalErrorWithoutDetails) {
    auto response = roundtrip(get_request("/boom"));
    expect_error(response, 500, "internal_error");
    EXPECT_EQ(response.body().find("secret internal detail"), std::string::npos);
}

TEST_F(ErrorsTest, ApiErrorFromHandlerKeepsStatusCodeAndExtra) {
    auto response = roundtrip(get_request("/conflict"));
    expect_error(response, 409, "conflict");
    EXPECT_EQ(body_json(response)["error"]["existing_id"], "x1");
}

TEST_F(ErrorsTest, ConnectionSurvivesHandlerErrors) {
    auto client = connect();
    for (const char* target : {"/boom", "/unavailable", "/conflict", "/missing", "/echo/ok"}) {
        ASSERT_TRUE(client->send(get_request(target)));
        auto response = client->read_response();
        ASSERT_TRUE(response) << target;
        EXPECT_TRUE(response->keep_alive()) << target;
    }
}

TEST_F(ErrorsTest, JsonRouteAcceptsContentTypeWithCharset) {
    auto response = roundtrip(post_request("/echo/7", R"({"a":1})", "application/json; charset=utf-8"));
    EXPECT_EQ(response.result_int(), 200u);
    EXPECT_EQ(body_json(response), (nlohmann::json{{"id", "7"}, {"body", {{"a", 1}}}}));
}

TEST_F(ErrorsTest, JsonRouteRejectsOtherContentTypeWith415) {
    expect_error(roundtrip(post_request("/echo/7", R"({"a":1})", "text/plain")), 415, "unsupported_media_type");
    expect_error(roundtrip(post_request("/echo/7", R"({"a":1})", "")), 415, "unsupported_media_type");
}

TEST_F(ErrorsTest, JsonRouteRejectsInvalidJsonAndArrays) {
    expect_error(roundtrip(post_request("/echo/7", R"({"a":)")), 400, "invalid_json");
    expect_error(roundtrip(post_request("/echo/7", R"([1,2])")), 400, "invalid_json");
    expect_error(roundtrip(post_request("/echo/7", "")), 400, "invalid_json");
}

TEST_F(ErrorsTest, JsonBodiesTooDeepOrTooManyAreRefusedBeforeParsing) {
    auto deep = R"({"a":)" + std::string(500'000, '[') + std::string(500'000, ']') + "}";
    auto refused = roundtrip(post_request("/echo/7", deep));
    expect_error(refused, 400, "invalid_json");
    EXPECT_NE(body_json(refused)["error"]["message"].get<std::string>().find("nested deeper than 32"),
              std::string::npos);

    std::string tiny = R"({"a":[0)";
    for (int i = 0; i < 400'000; ++i) tiny += ",0";
    tiny += "]}";
    ASSERT_LT(tiny.size(), 1024u * 1024u);
    auto started = std::chrono::steady_clock::now();
    auto many = roundtrip(post_request("/echo/7", tiny));
    expect_error(many, 400, "invalid_json");
    EXPECT_NE(body_json(many)["error"]["message"].get<std::string>().find("more than 10000 values"), std::string::npos);
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(2));
}

TEST_F(ErrorsTest, TooManyHeadersPast8KiBAnswer431) {
    std::string request = "GET /echo/x HTTP/1.1\r\nHost: x\r\n";
    for (int i = 0; i < 2'000; ++i) request += "a" + std::to_string(i) + ": b\r\n";
    auto response = roundtrip(request + "\r\n");
    EXPECT_EQ(response.result_int(), 431u);
}

TEST_F(ErrorsTest, HeadRouteReturnsContentLengthWithoutBody) {
    auto client = connect();
    ASSERT_TRUE(client->send("HEAD /head HTTP/1.1\r\nHost: x\r\n\r\n" + get_request("/head")));
    auto head = client->read_response(std::chrono::seconds(5), /*head_request=*/true);
    ASSERT_TRUE(head);
    EXPECT_EQ(head->result_int(), 200u);
    EXPECT_EQ((*head)[bhttp::field::content_length], std::to_string(std::string(R"({"hello":"world"})").size()));
    EXPECT_TRUE(head->body().empty());
    // No stray body bytes: the next response on the connection parses cleanly.
    auto get = client->read_response();
    ASSERT_TRUE(get);
    EXPECT_EQ(get->result_int(), 200u);
    EXPECT_EQ(get->body(), R"({"hello":"world"})");
}

TEST_F(ErrorsTest, HeadOnAGetRouteAnswersTheGetHeadersWithoutTheBody) {
    const std::string get_body = R"({"id":"1"})";
    auto client = connect();
    ASSERT_TRUE(client->send("HEAD /echo/1 HTTP/1.1\r\nHost: x\r\n\r\n" + get_request("/echo/1")));
    auto head = client->read_response(std::chrono::seconds(5), /*head_request=*/true);
    ASSERT_TRUE(head);
    EXPECT_EQ(head->result_int(), 200u);
    EXPECT_EQ((*head)[bhttp::field::content_length], std::to_string(get_body.size()));
    EXPECT_EQ((*head)[bhttp::field::content_type], "application/json; charset=utf-8");
    EXPECT_FALSE((*head)["X-Request-Id"].empty());
    EXPECT_TRUE(head->body().empty());
    // No stray body bytes: the pipelined GET's answer parses cleanly and carries the body HEAD left out.
    auto get = client->read_response();
    ASSERT_TRUE(get);
    EXPECT_EQ(get->result_int(), 200u);
    EXPECT_EQ(get->body(), get_body);
}

TEST_F(ErrorsTest, HeadIsAuthenticatedLikeGet) {
    auto client = connect();
    ASSERT_TRUE(client->send("HEAD /private HTTP/1.1\r\nHost: x\r\n\r\n"));
    auto head = client->read_response(std::chrono::seconds(5), /*head_request=*/true);
    ASSERT_TRUE(head);
    EXPECT_EQ(head->result_int(), 401u);
    EXPECT_TRUE(head->body().empty());
}

TEST_F(ErrorsTest, HeadOnARouteWithoutGetAnswers405WithoutBody) {
    auto client = connect();
    ASSERT_TRUE(client->send("HEAD /upload HTTP/1.1\r\nHost: x\r\n\r\n" + get_request("/echo/1")));
    auto head = client->read_response(std::chrono::seconds(5), /*head_request=*/true);
    ASSERT_TRUE(head);
    EXPECT_EQ(head->result_int(), 405u);
    EXPECT_EQ((*head)[bhttp::field::allow], "POST");
    EXPECT_TRUE(head->body().empty());
    auto get = client->read_response();
    ASSERT_TRUE(get);
    EXPECT_EQ(get->result_int(), 200u);
}

TEST_F(ErrorsTest, MetricsCountRequestsByRouteTemplate) {
    auto client = connect();
    for (const char* target : {"/echo/a", "/echo/b", "/echo/c?q=1"}) {
        ASSERT_TRUE(client->send(get_request(target)));
        ASSERT_TRUE(client->read_response());
    }
    ASSERT_TRUE(client->send("DELETE /echo/a HTTP/1.1\r\nHost: x\r\n\r\n" + get_request("/nope/x")));
    ASSERT_TRUE(client->read_response());
    ASSERT_TRUE(client->read_response());

    // The count is recorded once the write completed, which may be just after the client read the bytes.
    const std::string series = R"(inbox_http_requests_total{route="/echo/{id}",method="GET",status="200"} 3)";
    EXPECT_TRUE(TestServer::eventually([&] {
        auto text = server->render_metrics();
        return text.find(series) != std::string::npos &&
               text.find(R"(inbox_http_requests_total{route="unmatched",method="GET",status="404"} 1)") !=
                   std::string::npos &&
               text.find(R"(inbox_http_requests_total{route="unmatched",method="DELETE",status="405"} 1)") !=
                   std::string::npos;
    })) << server->render_metrics();
    auto text = server->render_metrics();
    EXPECT_EQ(text.find("/echo/a"), std::string::npos);
    EXPECT_EQ(text.find("/nope/x"), std::string::npos);
    EXPECT_NE(text.find(R"(inbox_http_request_duration_seconds_count{route="/echo/{id}",method="GET"} 3)"),
              std::string::npos);
}

}  // namespace
}  // namespace inbox::http::testing
