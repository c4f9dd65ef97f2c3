// Overload protection over real sockets: the in-flight cap and the event-loop lag shed requests with 503 at once,
// operations routes are never shed, and connection caps (overall, per address) refuse connections with 503.
#include <boost/asio/post.hpp>
#include <thread>

#include "inbox/http/loop_lag_probe.hpp"
#include "inbox/observability/metrics.hpp"
#include "server_fixture.hpp"

namespace inbox::http::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* kEcho = "GET /echo/x HTTP/1.1\r\nHost: x\r\n\r\n";
constexpr const char* kHealth = "GET /health HTTP/1.1\r\nHost: x\r\n\r\n";

class OverloadTest : public HttpServerTest {
protected:
    void SetUp() override {
        server =
            std::make_unique<TestServer>(test_options(), LoadShedderOptions{.max_in_flight = 2, .max_loop_lag = 100ms});
    }
};

TEST_F(OverloadTest, PastTheInFlightCapRequestsAre503AtOnceAndOperationsRoutesStillAnswer) {
    auto first = connect(), second = connect();
    ASSERT_TRUE(first->send("GET /slow?ms=1500 HTTP/1.1\r\nHost: x\r\n\r\n"));
    ASSERT_TRUE(second->send("GET /slow?ms=1500 HTTP/1.1\r\nHost: x\r\n\r\n"));
    ASSERT_TRUE(TestServer::eventually([&] { return server->slow_started() == 2; }));

    auto started = std::chrono::steady_clock::now();
    auto shed = roundtrip(kEcho);
    EXPECT_LT(std::chrono::steady_clock::now() - started, 500ms) << "shedding must not wait";
    expect_error(shed, 503, "service_unavailable");
    EXPECT_EQ(shed[bhttp::field::retry_after], "1");
    EXPECT_EQ(roundtrip(kHealth).result_int(), 200u) << "health is never shed";

    ASSERT_TRUE(first->read_response(3s));
    ASSERT_TRUE(second->read_response(3s));
    EXPECT_EQ(roundtrip(kEcho).result_int(), 200u) << "places are given back";
    EXPECT_NE(server->render_metrics().find(R"(inbox_http_shed_total{reason="in_flight"} 1)"), std::string::npos);
}

TEST_F(OverloadTest, WhileTheEventLoopLagsRequestsAre503) {
    server->shedder().observe_loop_lag(400ms);
    expect_error(roundtrip(kEcho), 503, "service_unavailable");
    EXPECT_EQ(roundtrip(kHealth).result_int(), 200u);
    server->shedder().observe_loop_lag(2ms);
    EXPECT_EQ(roundtrip(kEcho).result_int(), 200u);
    EXPECT_NE(server->render_metrics().find(R"(inbox_http_shed_total{reason="loop_lag"} 1)"), std::string::npos);
}

TEST(LoopLagProbe, MeasuresHowLongAHandlerHeldTheLoopThenRecovers) {
    observability::MetricsRegistry metrics;
    LoadShedder shedder({}, metrics);
    boost::asio::io_context io;
    start_loop_lag_probe(io, shedder, 20ms);
    std::thread runner([&] { io.run_for(3s); });
    std::this_thread::sleep_for(100ms);
    boost::asio::post(io, [] { std::this_thread::sleep_for(400ms); });  // a handler that blocks the loop
    EXPECT_TRUE(TestServer::eventually([&] { return shedder.loop_lag() >= 300ms; }, 2s)) << shedder.loop_lag().count();
    EXPECT_TRUE(TestServer::eventually([&] { return shedder.loop_lag() < 100ms; }, 2s)) << shedder.loop_lag().count();
    io.stop();
    runner.join();
}

class ConnectionCapTest : public HttpServerTest {
protected:
    ServerOptions options() override {
        auto options = test_options();
        options.connection_limits = {.max_total = 3, .max_per_address = 2};
        return options;
    }
    // A connection past a cap: answered 503, then closed.
    void expect_refused(const std::string& message_part) {
        RawClient refused(port());
        auto response = refused.read_response(2s);
        ASSERT_TRUE(response) << "a refused connection is answered, not reset";
        expect_error(*response, 503, "service_unavailable");
        EXPECT_NE(body_json(*response)["error"]["message"].get<std::string>().find(message_part), std::string::npos);
        EXPECT_FALSE(response->keep_alive());
        EXPECT_TRUE(refused.wait_closed());
    }
};

TEST_F(ConnectionCapTest, AnAddressPastItsCapIsRefusedUntilOneOfItsConnectionsCloses) {
    auto first = connect();
    auto second = connect();
    ASSERT_TRUE(TestServer::eventually([&] { return server->server().active_connections() == 2; }));
    expect_refused("from this address");

    first.reset();
    ASSERT_TRUE(TestServer::eventually([&] { return server->server().active_connections() == 1; }));
    auto third = connect();
    ASSERT_TRUE(third->send(kEcho));
    auto response = third->read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->result_int(), 200u);
}

class TotalConnectionCapTest : public ConnectionCapTest {
protected:
    ServerOptions options() override {
        auto options = test_options();
        options.connection_limits = {.max_total = 2, .max_per_address = 0};
        return options;
    }
};

TEST_F(TotalConnectionCapTest, PastTheTotalCapNewConnectionsAreRefused) {
    auto first = connect();
    auto second = connect();
    ASSERT_TRUE(TestServer::eventually([&] { return server->server().active_connections() == 2; }));
    expect_refused("too many connections");
}

}  // namespace
}  // namespace inbox::http::testing
