// Connection handling: keep-alive, pipelining, HTTP/1.0, timeouts against slow or idle clients, latency floor.
#include "server_fixture.hpp"

#include <thread>
#include <vector>

namespace inbox::http::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using ConnectionTest = HttpServerTest;

TEST_F(ConnectionTest, KeepAliveServesSeveralRequestsOnOneConnection) {
    auto client = connect();
    for (int i = 0; i < 5; ++i) {
        ASSERT_TRUE(client->send(get_request("/echo/" + std::to_string(i))));
        auto response = client->read_response();
        ASSERT_TRUE(response) << i;
        EXPECT_EQ(response->result_int(), 200u);
        EXPECT_TRUE(response->keep_alive());
        EXPECT_EQ(body_json(*response)["id"], std::to_string(i));
    }
    EXPECT_EQ(server->server().active_connections(), 1u);
}

TEST_F(ConnectionTest, PipelinedRequestsAreAnsweredInOrder) {
    auto client = connect();
    // The slow one first: a server answering in completion order would put it last.
    std::string batch = get_request("/slow?ms=150", "X-Request-Id: p1\r\n") +
                        get_request("/echo/two", "X-Request-Id: p2\r\n") +
                        post_request("/echo/three", R"({"n":3})", "application/json", "X-Request-Id: p3\r\n") +
                        get_request("/missing", "X-Request-Id: p4\r\n");
    ASSERT_TRUE(client->send(batch));
    std::vector<std::string> ids;
    for (int i = 0; i < 4; ++i) {
        auto response = client->read_response();
        ASSERT_TRUE(response) << i;
        ids.emplace_back((*response)["X-Request-Id"]);
        if (i == 0) {
            EXPECT_EQ(body_json(*response)["slept_ms"], 150);
        } else if (i == 1) {
            EXPECT_EQ(body_json(*response)["id"], "two");
        } else if (i == 2) {
            EXPECT_EQ(body_json(*response)["body"]["n"], 3);
        } else {
            EXPECT_EQ(response->result_int(), 404u);
        }
    }
    EXPECT_EQ(ids, (std::vector<std::string>{"p1", "p2", "p3", "p4"}));
}

TEST_F(ConnectionTest, Http10WithoutKeepAliveCloses) {
    auto client = connect();
    ASSERT_TRUE(client->send("GET /echo/old HTTP/1.0\r\n\r\n"));
    auto response = client->read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->result_int(), 200u);
    EXPECT_EQ(response->version(), 10u);
    EXPECT_FALSE(response->keep_alive());
    EXPECT_TRUE(client->wait_closed(1s));
}

TEST_F(ConnectionTest, Http10WithKeepAliveStaysOpen) {
    auto client = connect();
    for (int i = 0; i < 2; ++i) {
        ASSERT_TRUE(client->send("GET /echo/old HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
        auto response = client->read_response();
        ASSERT_TRUE(response) << i;
        EXPECT_EQ(response->version(), 10u);
        EXPECT_TRUE(response->keep_alive());
    }
}

TEST_F(ConnectionTest, ConnectionCloseHeaderClosesAfterResponse) {
    auto client = connect();
    ASSERT_TRUE(client->send(get_request("/echo/1", "Connection: close\r\n")));
    auto response = client->read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->result_int(), 200u);
    EXPECT_FALSE(response->keep_alive());
    EXPECT_TRUE(client->wait_closed(1s));
    EXPECT_TRUE(TestServer::eventually([&] { return server->server().active_connections() == 0; }));
}

TEST_F(ConnectionTest, RequestPipelinedAfterConnectionCloseIsNotServed) {
    auto client = connect();
    ASSERT_TRUE(client->send(get_request("/echo/first", "Connection: close\r\n") + get_request("/echo/second")));
    auto response = client->read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(body_json(*response)["id"], "first");
    EXPECT_FALSE(response->keep_alive());
    EXPECT_TRUE(client->wait_closed(1s));
}

TEST_F(ConnectionTest, SlowHandlerDoesNotBlockOtherConnections) {
    std::vector<std::unique_ptr<RawClient>> clients;
    for (int i = 0; i < 6; ++i) clients.push_back(connect());
    auto started = Clock::now();
    for (auto& client : clients) ASSERT_TRUE(client->send(get_request("/slow?ms=300")));
    for (auto& client : clients) {
        auto response = client->read_response();
        ASSERT_TRUE(response);
        EXPECT_EQ(response->result_int(), 200u);
    }
    EXPECT_LT(Clock::now() - started, 1200ms) << "handlers did not run concurrently";
}

TEST_F(ConnectionTest, FiftySequentialKeepAliveRequestsTakeWellUnderOneSecond) {
    // Regression guard for Nagle + delayed ACK (a ~40 ms floor per request), not a benchmark.
    auto client = connect();
    ASSERT_TRUE(client->send(get_request("/echo/warmup")));
    ASSERT_TRUE(client->read_response());
    auto started = Clock::now();
    for (int i = 0; i < 50; ++i) {
        ASSERT_TRUE(client->send(post_request("/echo/" + std::to_string(i), R"({"i":1})")));
        auto response = client->read_response();
        ASSERT_TRUE(response) << i;
        ASSERT_EQ(response->result_int(), 200u);
    }
    auto elapsed = Clock::now() - started;
    EXPECT_LT(elapsed, 1s) << std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count() << " ms";
}

class ShortTimeoutTest : public HttpServerTest {
protected:
    ServerOptions options() override {
        auto options = test_options();
        options.header_timeout = 300ms;
        options.idle_timeout = 300ms;
        options.body_timeout = 300ms;
        return options;
    }
};

TEST_F(ShortTimeoutTest, IncompleteHeaderIsDroppedAfterHeaderTimeout) {
    auto client = connect();
    auto started = Clock::now();
    ASSERT_TRUE(client->send("GET /echo/1 HTTP/1.1\r\nHost: x\r\n"));  // never finished
    EXPECT_TRUE(client->wait_closed(3s));
    auto elapsed = Clock::now() - started;
    EXPECT_GE(elapsed, 250ms);
    EXPECT_LT(elapsed, 2s);
    EXPECT_TRUE(TestServer::eventually([&] { return server->server().active_connections() == 0; }));
}

TEST_F(ShortTimeoutTest, TricklingHeaderIsDroppedAfterHeaderTimeout) {
    // A byte every 50 ms keeps the socket busy but the header deadline is for the whole header.
    auto client = connect();
    auto started = Clock::now();
    const std::string request = get_request("/echo/1", "X-Padding: " + std::string(100, 'p') + "\r\n");
    bool closed = false;
    for (char c : request) {
        if (!client->send(std::string_view(&c, 1)) || Clock::now() - started > 2s) {
            closed = true;
            break;
        }
        std::this_thread::sleep_for(50ms);
        if (Clock::now() - started > 600ms) {
            closed = client->wait_closed(2s);
            break;
        }
    }
    EXPECT_TRUE(closed);
    EXPECT_LT(Clock::now() - started, 3s);
}

TEST_F(ShortTimeoutTest, IdleKeepAliveConnectionIsClosedAfterIdleTimeout) {
    auto client = connect();
    ASSERT_TRUE(client->send(get_request("/echo/1")));
    ASSERT_TRUE(client->read_response());
    auto started = Clock::now();
    EXPECT_TRUE(client->wait_closed(3s));
    auto elapsed = Clock::now() - started;
    EXPECT_GE(elapsed, 200ms);
    EXPECT_LT(elapsed, 2s);
}

TEST_F(ShortTimeoutTest, ConnectionWithoutAnyRequestIsClosedAfterIdleTimeout) {
    auto client = connect();
    EXPECT_TRUE(client->wait_closed(3s));
    EXPECT_TRUE(TestServer::eventually([&] { return server->server().active_connections() == 0; }));
}

TEST_F(ShortTimeoutTest, IncompleteBodyIsDroppedAfterBodyTimeout) {
    auto client = connect();
    auto started = Clock::now();
    ASSERT_TRUE(client->send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nhalf"));
    EXPECT_TRUE(client->wait_closed(3s));
    auto elapsed = Clock::now() - started;
    EXPECT_GE(elapsed, 250ms);
    EXPECT_LT(elapsed, 2s);
}

TEST_F(ShortTimeoutTest, HandlerSlowerThanHeaderTimeoutStillAnswers) {
    // The header deadline must not cover the handler: a 500 ms handler with a 300 ms header timeout.
    auto client = connect();
    ASSERT_TRUE(client->send(get_request("/slow?ms=500")));
    auto response = client->read_response(3s);
    ASSERT_TRUE(response);
    EXPECT_EQ(response->result_int(), 200u);
}

}  // namespace
}  // namespace inbox::http::testing
