// Streamed responses (the transport of Server-Sent Events): chunked on HTTP/1.1, until close on HTTP/1.0, ended
// promptly by a drain, cut off by abort().
#include "server_fixture.hpp"

#include <thread>

namespace inbox::http::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using StreamTest = HttpServerTest;

TEST_F(StreamTest, StreamsChunksUntilTheProducerEndsThenClosesTheConnection) {
    auto client = connect();
    ASSERT_TRUE(client->send(get_request("/stream?events=3", "X-Request-Id: stream-1\r\n")));
    auto response = client->read_response(3s);
    ASSERT_TRUE(response);
    EXPECT_EQ(response->result_int(), 200u);
    EXPECT_TRUE(response->chunked());
    EXPECT_FALSE(response->keep_alive());
    EXPECT_EQ((*response)[boost::beast::http::field::content_type], "text/event-stream");
    EXPECT_EQ((*response)["X-Request-Id"], "stream-1");
    EXPECT_EQ(response->body(), "data: 0\n\ndata: 1\n\ndata: 2\n\n");
    EXPECT_TRUE(client->wait_closed(1s));
}

TEST_F(StreamTest, HeadAnswersTheStreamHeadersAndClosesWithoutRunningTheProducer) {
    auto client = connect();
    // A producer would write one event, then hold the connection for 30 s.
    ASSERT_TRUE(client->send("HEAD /stream?events=2&interval_ms=30000 HTTP/1.1\r\nHost: x\r\n\r\n"));
    auto response = client->read_response(3s, /*head_request=*/true);
    ASSERT_TRUE(response);
    EXPECT_EQ(response->result_int(), 200u);
    EXPECT_EQ((*response)[boost::beast::http::field::content_type], "text/event-stream");
    EXPECT_TRUE(response->body().empty());
    EXPECT_TRUE(client->wait_closed(1s));
    EXPECT_TRUE(TestServer::eventually([&] { return server->server().active_connections() == 0; }));
}

TEST_F(StreamTest, Http10ClientsGetTheBodyUntilClose) {
    auto client = connect();
    ASSERT_TRUE(client->send("GET /stream?events=2 HTTP/1.0\r\n\r\n"));
    auto response = client->read_response(3s);
    ASSERT_TRUE(response);
    EXPECT_FALSE(response->chunked());
    EXPECT_EQ(response->body(), "data: 0\n\ndata: 1\n\n");
}

TEST_F(StreamTest, DrainEndsAWaitingStreamPromptly) {
    auto client = connect();
    // One event, then a 30 s wait: only the drain's wake-up can end it in time.
    ASSERT_TRUE(client->send(get_request("/stream?events=2&interval_ms=30000")));
    ASSERT_TRUE(TestServer::eventually([&] { return server->server().active_connections() == 1; }));
    std::this_thread::sleep_for(100ms);  // let the producer reach its wait

    auto drain_started = Clock::now();
    server->server().begin_drain();
    auto response = client->read_response(3s);
    ASSERT_TRUE(response);
    EXPECT_EQ(response->body(), "data: 0\n\n");
    EXPECT_LT(Clock::now() - drain_started, 1s);
    EXPECT_TRUE(client->wait_closed(1s));
    EXPECT_TRUE(TestServer::eventually([&] { return server->server().active_connections() == 0; }));
}

TEST_F(StreamTest, AbortCutsTheConnectionWithoutEndingTheBody) {
    auto client = connect();
    ASSERT_TRUE(client->send(get_request("/stream?events=5&abort_at=2")));
    // The chunked body never gets its last chunk: the read meets the end of the connection (well before its own
    // 3 s timeout), not a complete response.
    auto started = Clock::now();
    EXPECT_FALSE(client->read_response(3s));
    EXPECT_LT(Clock::now() - started, 2s);
    EXPECT_TRUE(TestServer::eventually([&] { return server->server().active_connections() == 0; }));
}

TEST_F(StreamTest, OtherRequestsAreServedWhileAStreamIsOpen) {
    auto streaming = connect();
    ASSERT_TRUE(streaming->send(get_request("/stream?events=2&interval_ms=30000")));
    auto other = connect();
    ASSERT_TRUE(other->send(get_request("/echo/x")));
    auto response = other->read_response(2s);
    ASSERT_TRUE(response);
    EXPECT_EQ(response->result_int(), 200u);
}

}  // namespace
}  // namespace inbox::http::testing
