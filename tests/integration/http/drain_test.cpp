// Graceful drain: in-flight requests finish with Connection: close, idle connections close, no new connections.
#include "server_fixture.hpp"

namespace inbox::http::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using DrainTest = HttpServerTest;

TEST_F(DrainTest, InFlightRequestFinishesIdleConnectionClosesAndNewConnectionsAreRefused) {
    auto idle = connect();
    ASSERT_TRUE(idle->send(get_request("/echo/idle")));
    auto first = idle->read_response();
    ASSERT_TRUE(first);
    EXPECT_TRUE(first->keep_alive());

    auto busy = connect();
    ASSERT_TRUE(busy->send(get_request("/slow?ms=500", "X-Request-Id: in-flight\r\n")));
    ASSERT_TRUE(TestServer::eventually([&] { return server->slow_started() == 1; }));
    EXPECT_EQ(server->server().active_connections(), 2u);

    auto drain_started = Clock::now();
    server->server().begin_drain();
    EXPECT_TRUE(server->server().draining());

    // The idle keep-alive connection is closed promptly, long before the slow request is done.
    EXPECT_TRUE(idle->wait_closed(300ms));
    EXPECT_LT(Clock::now() - drain_started, 400ms);

    // New connections are refused once the acceptor is closed.
    EXPECT_TRUE(TestServer::eventually(
        [&] { return RawClient::try_connect(port()) == boost::asio::error::connection_refused; }, 1s));

    // The in-flight request still gets its answer, with Connection: close, and the connection ends.
    auto response = busy->read_response(3s);
    ASSERT_TRUE(response);
    EXPECT_EQ(response->result_int(), 200u);
    EXPECT_EQ((*response)["X-Request-Id"], "in-flight");
    EXPECT_EQ(body_json(*response)["slept_ms"], 500);
    EXPECT_FALSE(response->keep_alive());
    EXPECT_EQ((*response)[bhttp::field::connection], "close");
    EXPECT_TRUE(busy->wait_closed(1s));

    EXPECT_TRUE(TestServer::eventually([&] { return server->server().active_connections() == 0; }, 2s))
        << server->server().active_connections();
}

// A rolling restart must lose nothing: a client that connected before the drain (accepted, or still in the
// listen backlog) but had not sent its request yet is served once, with Connection: close.
TEST_F(DrainTest, AConnectionMadeBeforeTheDrainStillGetsItsFirstRequestServed) {
    auto early = connect();
    auto silent = connect();
    ASSERT_TRUE(TestServer::eventually([&] { return server->server().active_connections() == 2; }));
    server->server().begin_drain();
    ASSERT_TRUE(early->send(get_request("/echo/late")));
    auto response = early->read_response(2s);
    ASSERT_TRUE(response);
    EXPECT_EQ(response->result_int(), 200u);
    EXPECT_FALSE(response->keep_alive());
    EXPECT_TRUE(early->wait_closed(1s));
    // One that never sends is not waited for long.
    EXPECT_TRUE(silent->wait_closed(2s));
}

TEST_F(DrainTest, InFlightRequestIsAnsweredWithConnectionCloseAndPipelinedOneIsNotServed) {
    auto client = connect();
    ASSERT_TRUE(client->send(get_request("/slow?ms=300") + get_request("/echo/after-drain")));
    ASSERT_TRUE(TestServer::eventually([&] { return server->slow_started() == 1; }));
    server->server().begin_drain();
    auto response = client->read_response(3s);
    ASSERT_TRUE(response);
    EXPECT_EQ(response->result_int(), 200u);
    EXPECT_EQ(body_json(*response)["slept_ms"], 300);
    EXPECT_FALSE(response->keep_alive());
    EXPECT_TRUE(client->wait_closed(1s));
    EXPECT_TRUE(TestServer::eventually([&] { return server->server().active_connections() == 0; }, 2s));
}

TEST_F(DrainTest, DrainWithoutConnectionsIsImmediateAndIdempotent) {
    EXPECT_FALSE(server->server().draining());
    EXPECT_FALSE(server->server().drained());
    server->server().begin_drain();
    server->server().begin_drain();
    EXPECT_TRUE(server->server().draining());
    EXPECT_EQ(server->server().active_connections(), 0u);
    // drained() is what the process waits for before it exits: by then a connection is refused, never put in a
    // backlog that the exit would reset (a rolling restart lost requests that way).
    ASSERT_TRUE(TestServer::eventually([&] { return server->server().drained(); }, 1s));
    EXPECT_EQ(RawClient::try_connect(port()), boost::asio::error::connection_refused);
}

TEST_F(DrainTest, ServerListensOnAnEphemeralPort) {
    EXPECT_NE(port(), 0);
    EXPECT_FALSE(RawClient::try_connect(port()));
}

}  // namespace
}  // namespace inbox::http::testing
