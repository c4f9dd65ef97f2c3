#include "inbox/http/api_error.hpp"
#include "inbox/http/dispatcher.hpp"
#include "inbox/http/responses.hpp"
#include "inbox/observability/metrics.hpp"
#include "inbox/util/errors.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include <stdexcept>

namespace inbox::http {
namespace {

using nlohmann::json;
namespace asio = boost::asio;

asio::awaitable<Response> echo_user(Request& request) {
    co_return json_response(Status::ok, {{"user", request.user_id.value_or("")},
                                         {"id", std::string(request.path_param("id"))},
                                         {"route", request.route_template}});
}
asio::awaitable<Response> throw_unavailable(Request&) {
    throw UnavailableError("postgres down: secret-host:5432");
    co_return Response{};
}
asio::awaitable<Response> throw_runtime(Request&) {
    throw std::runtime_error("secret detail");
    co_return Response{};
}
asio::awaitable<Response> throw_api(Request&) {
    throw ApiError{Status::conflict, "conflict", "already there", {{"existing_id", "x1"}}};
    co_return Response{};
}

std::optional<std::string> fake_auth(std::string_view token) {
    if (token == "good") return std::string("user-1");
    return std::nullopt;
}

class DispatcherTest : public ::testing::Test {
protected:
    DispatcherTest() {
        router.add(Verb::get, "/things/{id}", echo_user);
        router.add(Verb::post, "/things/{id}", echo_user);
        router.add(Verb::get, "/public/{id}", echo_user, RouteOptions{.requires_auth = false});
        router.add(Verb::get, "/events", echo_user, RouteOptions{.token_in_query = true});
        router.add(Verb::post, "/hook", echo_user, RouteOptions{.body_limit = kWebhookBodyLimit, .requires_auth = false});
        router.add(Verb::get, "/unavailable", throw_unavailable, RouteOptions{.requires_auth = false});
        router.add(Verb::get, "/boom", throw_runtime, RouteOptions{.requires_auth = false});
        router.add(Verb::get, "/conflict", throw_api, RouteOptions{.requires_auth = false});
    }

    Response dispatch(Request& request) {
        auto future = asio::co_spawn(io, dispatcher.dispatch(request), asio::use_future);
        io.restart();
        io.run();
        return future.get();
    }
    Response get(std::string target, std::string authorization = {}, Verb verb = Verb::get) {
        last = Request{};
        last.request_id = "rid-1";
        last.message.method(verb);
        last.message.target(target);
        if (!authorization.empty()) last.message.set(Field::authorization, authorization);
        return dispatch(last);
    }
    static json body(const Response& response) { return json::parse(response.message.body()); }

    Router router;
    observability::MetricsRegistry metrics;
    Dispatcher dispatcher{router, fake_auth, metrics};
    asio::io_context io;
    Request last;
};

TEST_F(DispatcherTest, UnknownPathAnswers404WithErrorShape) {
    auto response = get("/nope?x=1");
    EXPECT_EQ(response.message.result(), Status::not_found);
    auto error = body(response)["error"];
    EXPECT_EQ(error["code"], "not_found");
    EXPECT_EQ(error["request_id"], "rid-1");
    EXPECT_TRUE(error["message"].is_string());
    EXPECT_EQ(last.route_template, "unmatched");
}

TEST_F(DispatcherTest, WrongMethodAnswers405WithAllow) {
    auto response = get("/things/1", "Bearer good", Verb::delete_);
    EXPECT_EQ(response.message.result(), Status::method_not_allowed);
    EXPECT_EQ(response.message[Field::allow], "GET, HEAD, POST");
    EXPECT_EQ(body(response)["error"]["code"], "method_not_allowed");
}

TEST_F(DispatcherTest, AuthedRouteWithoutTokenAnswers401WithChallenge) {
    for (const char* authorization : {"", "Bearer bad", "Basic Z29vZA==", "Bearer ", "Bearergood", "good"}) {
        auto response = get("/things/1", authorization);
        EXPECT_EQ(response.message.result(), Status::unauthorized) << authorization;
        EXPECT_EQ(response.message[Field::www_authenticate], "Bearer") << authorization;
        EXPECT_EQ(body(response)["error"]["code"], "unauthorized") << authorization;
    }
}

TEST_F(DispatcherTest, GoodBearerTokenSetsUserAndPathParams) {
    auto response = get("/things/a%20b?q=1", "Bearer good");
    EXPECT_EQ(response.message.result(), Status::ok);
    EXPECT_EQ(body(response), (json{{"user", "user-1"}, {"id", "a b"}, {"route", "/things/{id}"}}));
    // The scheme is case-insensitive.
    EXPECT_EQ(get("/things/1", "bearer good").message.result(), Status::ok);
}

TEST_F(DispatcherTest, QueryTokenOnlyAcceptedWhereRouteAllowsIt) {
    EXPECT_EQ(get("/events?access_token=good").message.result(), Status::ok);
    EXPECT_EQ(get("/events?access_token=bad").message.result(), Status::unauthorized);
    EXPECT_EQ(get("/things/1?access_token=good").message.result(), Status::unauthorized);
}

TEST_F(DispatcherTest, PublicRouteNeedsNoToken) {
    auto response = get("/public/7");
    EXPECT_EQ(response.message.result(), Status::ok);
    EXPECT_EQ(body(response)["user"], "");
}

TEST_F(DispatcherTest, UnavailableErrorAnswers503WithRetryAfter) {
    auto response = get("/unavailable");
    EXPECT_EQ(response.message.result(), Status::service_unavailable);
    EXPECT_EQ(response.message[Field::retry_after], "1");
    EXPECT_EQ(body(response)["error"]["code"], "service_unavailable");
    EXPECT_EQ(response.message.body().find("secret-host"), std::string::npos);
}

TEST_F(DispatcherTest, OtherExceptionAnswers500WithoutLeakingDetails) {
    auto response = get("/boom");
    EXPECT_EQ(response.message.result(), Status::internal_server_error);
    EXPECT_EQ(body(response)["error"]["code"], "internal_error");
    EXPECT_EQ(body(response)["error"]["request_id"], "rid-1");
    EXPECT_EQ(response.message.body().find("secret detail"), std::string::npos);
}

TEST_F(DispatcherTest, ApiErrorKeepsStatusCodeAndExtra) {
    auto response = get("/conflict");
    EXPECT_EQ(response.message.result(), Status::conflict);
    EXPECT_EQ(body(response)["error"]["code"], "conflict");
    EXPECT_EQ(body(response)["error"]["existing_id"], "x1");
}

TEST_F(DispatcherTest, BodyLimitComesFromTheMatchedRoute) {
    EXPECT_EQ(dispatcher.body_policy_for(Verb::post, "/hook?x=1").limit, kWebhookBodyLimit);
    EXPECT_EQ(dispatcher.body_policy_for(Verb::post, "/things/1").limit, kApiBodyLimit);
    EXPECT_EQ(dispatcher.body_policy_for(Verb::post, "/unknown").limit, kApiBodyLimit);
    EXPECT_EQ(dispatcher.body_policy_for(Verb::get, "/hook").limit, kApiBodyLimit);  // 405 → default
}

TEST_F(DispatcherTest, RecordCountsByRouteTemplateNotRawPath) {
    for (const char* target : {"/public/a", "/public/b", "/public/c"}) {
        auto response = get(target);
        dispatcher.record(last, response.message.result_int(), response.message.body().size(),
                          std::chrono::milliseconds(3));
    }
    auto text = metrics.render_prometheus();
    EXPECT_NE(text.find(R"(inbox_http_requests_total{route="/public/{id}",method="GET",status="200"} 3)"),
              std::string::npos)
        << text;
    EXPECT_EQ(text.find("/public/a"), std::string::npos);
    EXPECT_NE(text.find("inbox_http_request_duration_seconds_count{route=\"/public/{id}\",method=\"GET\"} 3"),
              std::string::npos)
        << text;
}

TEST(TargetPath, StripsQueryString) {
    EXPECT_EQ(target_path("/a/b?c=d?e"), "/a/b");
    EXPECT_EQ(target_path("/a"), "/a");
    EXPECT_EQ(target_path("?x"), "");
}

}  // namespace
}  // namespace inbox::http
