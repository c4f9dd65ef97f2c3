// HttpClient on its own: keep-alive pool, retries of stale connections, deadlines, limits, typed errors.
#include <chrono>
#include <filesystem>
#include <future>

#include "graph_fixture.hpp"
#include "scripted_server.hpp"

namespace inbox::graph::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

class HttpClientTest : public GraphTest {
protected:
    HttpRequest get(const std::string& url) {
        HttpRequest request;
        request.url = url;
        request.headers.push_back(HttpHeader{"Authorization", std::string("Bearer ") + kToken});
        return request;
    }
    HttpErrorKind error_kind_of(HttpRequest request) {
        try {
            run(http().request(std::move(request)));
        } catch (const HttpError& e) {
            return e.kind();
        }
        ADD_FAILURE() << "the request succeeded";
        return HttpErrorKind::bad_response;
    }
    std::uint64_t connections_opened() { return metric("inbox_graph_connections_opened_total", {}); }
};

TEST_F(HttpClientTest, TwentySequentialCallsUseOneConnection) {
    const auto before = control().connections_accepted();
    for (int i = 0; i < 20; ++i) ASSERT_TRUE(send_text()) << i;
    EXPECT_EQ(control().connections_accepted() - before, 1u);
    EXPECT_EQ(connections_opened(), 1u);
    EXPECT_EQ(http().idle_connections(), 1u);
}

TEST_F(HttpClientTest, AReusedConnectionSkipsTheNewConnectionDelay) {
    control().knobs({{"connection_delay_ms", 100}});
    const auto first_started = Clock::now();
    ASSERT_TRUE(send_text());
    const auto first = Clock::now() - first_started;
    const auto second_started = Clock::now();
    ASSERT_TRUE(send_text());
    const auto second = Clock::now() - second_started;
    EXPECT_GE(first, 100ms);
    EXPECT_LT(second, 60ms) << "the second call paid the new-connection delay";
}

TEST_F(HttpClientTest, ConcurrentCallsOpenSeveralConnectionsAndPoolThem) {
    control().knobs({{"families", {{"messages", {{"latency_ms", 50}}}}}});
    std::vector<std::future<GraphResult<SentMessage>>> calls;
    for (int i = 0; i < 4; ++i) {
        calls.push_back(boost::asio::co_spawn(io_->io(), graph().send_text(kPhoneNumberId, kToken, {"1555"}, "hi"),
                                              boost::asio::use_future));
    }
    for (auto& call : calls) EXPECT_TRUE(call.get());
    EXPECT_EQ(connections_opened(), 4u);
    EXPECT_EQ(http().idle_connections(), 4u);
}

TEST_F(HttpClientTest, IdleConnectionsPastTheirAgeAreNotReused) {
    auto options = default_http_options();
    options.max_idle_age = 0ms;
    make_clients(options, default_graph_options());
    ASSERT_TRUE(send_text());
    ASSERT_TRUE(send_text());
    EXPECT_EQ(connections_opened(), 2u);
}

TEST_F(HttpClientTest, MaxIdlePerOriginBoundsThePool) {
    auto options = default_http_options();
    options.max_idle_per_origin = 2;
    make_clients(options, default_graph_options());
    control().knobs({{"families", {{"messages", {{"latency_ms", 50}}}}}});
    std::vector<std::future<GraphResult<SentMessage>>> calls;
    for (int i = 0; i < 4; ++i) {
        calls.push_back(boost::asio::co_spawn(io_->io(), graph().send_text(kPhoneNumberId, kToken, {"1555"}, "hi"),
                                              boost::asio::use_future));
    }
    for (auto& call : calls) EXPECT_TRUE(call.get());
    EXPECT_EQ(http().idle_connections(), 2u);
}

TEST_F(HttpClientTest, AConnectionTheServerDroppedIsRetriedOnceOnANewOne) {
    ScriptedServer server({1});  // the first connection answers once, then drops the next request
    auto first = run(http().request(get(server.base_url() + "/a")));
    EXPECT_EQ(first.status, 200u);
    auto second = run(http().request(get(server.base_url() + "/b")));
    EXPECT_EQ(second.status, 200u);
    EXPECT_EQ(second.body, "ok");
    EXPECT_EQ(server.accepted(), 2);
    EXPECT_EQ(server.answered(), 2);
}

// The server may have acted on the POST it dropped: sending it again could deliver a message twice.
TEST_F(HttpClientTest, APostOnADroppedConnectionIsNotRetried) {
    ScriptedServer server({1});
    ASSERT_EQ(run(http().request(get(server.base_url() + "/a"))).status, 200u);
    auto post = get(server.base_url() + "/messages");
    post.method = "POST";
    post.body = R"({"text":"hi"})";
    EXPECT_EQ(error_kind_of(std::move(post)), HttpErrorKind::connection_reset);
    EXPECT_EQ(server.accepted(), 1);
}

TEST_F(HttpClientTest, ANewConnectionThatDropsTheRequestIsNotRetried) {
    ScriptedServer server({0, 0});
    EXPECT_EQ(error_kind_of(get(server.base_url() + "/a")), HttpErrorKind::connection_reset);
    EXPECT_EQ(server.accepted(), 1);
}

TEST_F(HttpClientTest, TheRetryHappensOnlyOnce) {
    ScriptedServer server({1, 0});  // the retry's new connection drops the request as well
    ASSERT_EQ(run(http().request(get(server.base_url() + "/a"))).status, 200u);
    EXPECT_EQ(error_kind_of(get(server.base_url() + "/b")), HttpErrorKind::connection_reset);
    EXPECT_EQ(server.accepted(), 2);
}

TEST_F(HttpClientTest, HangTimesOutWithinTheDeadline) {
    control().fail("templates", {{"mode", "hang"}});
    auto request = get(fake().base_url() + "/" + kVersion + "/W/message_templates");
    request.timeout = 300ms;
    const auto started = Clock::now();
    EXPECT_EQ(error_kind_of(std::move(request)), HttpErrorKind::timeout);
    const auto elapsed = Clock::now() - started;
    EXPECT_GE(elapsed, 300ms);
    EXPECT_LT(elapsed, 1s);
}

TEST_F(HttpClientTest, ResetIsConnectionResetAndTheNextCallUsesANewConnection) {
    control().fail("templates", {{"mode", "reset"}, {"count", 1}});
    const auto url = fake().base_url() + "/" + kVersion + "/W/message_templates";
    EXPECT_EQ(error_kind_of(get(url)), HttpErrorKind::connection_reset);
    EXPECT_EQ(run(http().request(get(url))).status, 200u);
    EXPECT_EQ(connections_opened(), 2u);
}

TEST_F(HttpClientTest, ABodyOverTheLimitIsTooLarge) {
    auto options = default_http_options();
    options.max_response_bytes = 16;
    make_clients(options, default_graph_options());
    control().post("templates", {{"name", "welcome"}, {"body_text", "Hello there, a body longer than 16 bytes"}});
    EXPECT_EQ(error_kind_of(get(fake().base_url() + "/" + kVersion + "/W/message_templates")),
              HttpErrorKind::too_large);
}

TEST_F(HttpClientTest, NothingListeningIsConnectFailed) {
    std::string url;
    {
        ScriptedServer server({});
        url = server.base_url() + "/x";
    }  // the port is closed again
    EXPECT_EQ(error_kind_of(get(url)), HttpErrorKind::connect_failed);
}

TEST_F(HttpClientTest, MalformedUrlsAndMethodsAreInvalidArguments) {
    EXPECT_THROW(run(http().request(get("not a url"))), std::invalid_argument);
    auto request = get(fake().base_url() + "/x");
    request.method = "FETCH";
    EXPECT_THROW(run(http().request(std::move(request))), std::invalid_argument);
    auto injected = get(fake().base_url() + "/x");
    injected.headers.push_back(HttpHeader{"X-A", "b\r\nX-Injected: 1"});
    EXPECT_THROW(run(http().request(std::move(injected))), std::invalid_argument);
}

TEST_F(HttpClientTest, DownloadOfAnErrorStatusKeepsTheBodyAndWritesNoFile) {
    TempPath file;
    const auto result = run(http().download_to_file(fake().base_url() + "/media-download/1?token=wrong",
                                                    {HttpHeader{"Authorization", "Bearer x"}}, file.path(), 1 << 20));
    EXPECT_EQ(result.status, 401u);
    EXPECT_NE(result.error_body.find("190"), std::string::npos) << result.error_body;
    EXPECT_FALSE(std::filesystem::exists(file.path()));
}

}  // namespace
}  // namespace inbox::graph::testing
