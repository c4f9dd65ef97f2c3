// The engine end to end against a tiny in-process HTTP server on an ephemeral loopback port.
// These tests check behaviour (what is counted, and from when), not speed.

#include "loadgen/engine.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <thread>

namespace inbox::loadgen {
namespace {

namespace net = boost::asio;
namespace http = boost::beast::http;
using net::ip::tcp;
using namespace std::chrono_literals;

constexpr auto kTuple = net::as_tuple(net::use_awaitable);

// Answers every request with 200 "ok" after `delay`; optionally closes the connection after each response.
class DelayedServer {
public:
    explicit DelayedServer(std::chrono::milliseconds delay, bool close_each = false)
        : delay_(delay), close_each_(close_each), acceptor_(io_, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0)) {
        net::co_spawn(io_, accept_loop(), net::detached);
        thread_ = std::thread([this] { io_.run(); });
    }
    ~DelayedServer() {
        io_.stop();
        thread_.join();
    }

    std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
    int accepted() const { return accepted_; }
    int requests() const { return requests_; }

private:
    net::awaitable<void> accept_loop() {
        for (;;) {
            auto [ec, socket] = co_await acceptor_.async_accept(kTuple);
            if (ec) co_return;
            ++accepted_;
            socket.set_option(tcp::no_delay(true));
            net::co_spawn(io_, serve(std::move(socket)), net::detached);
        }
    }

    net::awaitable<void> serve(tcp::socket socket) {
        boost::beast::flat_buffer buffer;
        net::steady_timer timer(io_);
        for (;;) {
            http::request_parser<http::empty_body> parser;  // a fresh parser per message
            parser.eager(false);
            auto [read_ec, read] = co_await http::async_read(socket, buffer, parser, kTuple);
            if (read_ec) co_return;
            ++requests_;
            timer.expires_after(delay_);
            co_await timer.async_wait(kTuple);
            const std::string response = close_each_
                                             ? "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
                                             : "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
            auto [write_ec, written] = co_await net::async_write(socket, net::buffer(response), kTuple);
            if (write_ec || close_each_) co_return;
        }
    }

    std::chrono::milliseconds delay_;
    bool close_each_;
    net::io_context io_;
    tcp::acceptor acceptor_;
    std::thread thread_;
    std::atomic<int> accepted_{0};
    std::atomic<int> requests_{0};
};

Scenario health_scenario() {
    Scenario scenario;
    scenario.name = "health";
    RequestSpec spec;
    spec.name = "health";
    spec.method = "GET";
    spec.path = Template::compile("/health", {});
    scenario.requests.push_back(std::move(spec));
    return scenario;
}

EngineConfig config_for(std::uint16_t port, double rate, Nanos duration, int connections) {
    EngineConfig config;
    config.address = "127.0.0.1";
    config.port = port;
    config.host_header = "127.0.0.1:" + std::to_string(port);
    config.rate = rate;
    config.duration = duration;
    config.connections = connections;
    config.max_queue = 10'000;
    config.seed = 1;
    config.run_id = 1;
    return config;
}

double ms(std::uint64_t nanos) { return static_cast<double>(nanos) / 1e6; }

std::uint64_t errors_of(const EndpointStats& stats, ErrorKind kind) {
    return stats.errors[static_cast<std::size_t>(kind)];
}

TEST(Engine, LatencyIncludesQueueingBehindABusyConnection) {
    DelayedServer server(20ms);
    const Scenario scenario = health_scenario();
    // 200 req/s on one connection whose requests take 20 ms: at most 50/s get through, the rest queue.
    const EngineResult result = run_engine(scenario, config_for(server.port(), 200, 1s, 1));
    const EndpointStats& stats = result.endpoints.at(0);

    EXPECT_EQ(stats.scheduled, 200u);
    EXPECT_NEAR(static_cast<double>(stats.responses()), 200.0, 20.0);
    EXPECT_EQ(stats.status.at(200), stats.responses());
    EXPECT_EQ(stats.error_count(), 0u);
    EXPECT_GE(ms(stats.latency.percentile(99)), 20.0);
    // A closed-loop tool would report ~20 ms; measured from the schedule, the last requests waited seconds.
    EXPECT_GE(ms(stats.latency.percentile(99)), 1000.0);
    EXPECT_LT(static_cast<double>(stats.completed_in_window), 100.0);  // achieved rate well under the target
    EXPECT_GT(result.max_queue_depth, 50u);
    EXPECT_EQ(server.accepted(), 1);
}

// Closed loop (as wrk): every connection sends its next request when the previous one is answered, so the rate is
// the server's: 4 connections of 20 ms requests make ~200/s, and latency is the service time, not a queue.
TEST(Engine, ClosedLoopKeepsEveryConnectionBusyAndMeasuresFromTheSend) {
    DelayedServer server(20ms);
    auto config = config_for(server.port(), 0, 1s, 4);
    config.closed_loop = true;
    const EngineResult result = run_engine(health_scenario(), config);
    const EndpointStats& stats = result.endpoints.at(0);
    EXPECT_EQ(stats.error_count(), 0u);
    EXPECT_NEAR(static_cast<double>(stats.completed_in_window), 200.0, 60.0);
    EXPECT_GE(ms(stats.latency.percentile(50)), 20.0);
    EXPECT_LT(ms(stats.latency.percentile(50)), 40.0) << "no queueing behind a busy connection";
    EXPECT_EQ(result.max_queue_depth, 0u);
    EXPECT_EQ(server.accepted(), 4);
}

TEST(Engine, WarmUpRequestsAreSentButNotRecorded) {
    DelayedServer server(0ms);
    auto config = config_for(server.port(), 100, 500ms, 2);
    config.warmup = 500ms;
    const EngineResult result = run_engine(health_scenario(), config);
    EXPECT_EQ(result.endpoints.at(0).scheduled, 50u);
    EXPECT_EQ(result.endpoints.at(0).responses(), 50u);
    EXPECT_EQ(server.requests(), 100);
    EXPECT_LE(server.accepted(), 2);  // persistent keep-alive connections
}

TEST(Engine, ReconnectsWhenTheServerClosesTheConnection) {
    DelayedServer server(0ms, /*close_each=*/true);
    const EngineResult result = run_engine(health_scenario(), config_for(server.port(), 100, 500ms, 2));
    const EndpointStats& stats = result.endpoints.at(0);
    EXPECT_EQ(stats.responses(), 50u);
    EXPECT_EQ(stats.error_count(), 0u);
    EXPECT_GE(server.accepted(), 50);  // one connection per request, plus pre-opened ones left unused
    EXPECT_LE(server.accepted(), 52);
}

TEST(Engine, SlowResponsesCountAsTimeouts) {
    DelayedServer server(1000ms);
    // Requests at 0, 250, 500 and 750 ms, each on its own connection; each times out 100 ms after it was
    // written, well before the run stops waiting (window end + timeout).
    auto config = config_for(server.port(), 4, 1s, 4);
    config.timeout = 100ms;
    const EngineResult result = run_engine(health_scenario(), config);
    const EndpointStats& stats = result.endpoints.at(0);
    EXPECT_EQ(stats.scheduled, 4u);
    EXPECT_EQ(errors_of(stats, ErrorKind::timeout), 4u);
    EXPECT_EQ(stats.responses(), 0u);
}

TEST(Engine, RequestsStillPendingWhenTheRunStopsAreUnfinished) {
    DelayedServer server(5000ms);
    // One connection, five requests; the first times out after 1 s, the run stops waiting at 0.5 s + 1 s.
    auto config = config_for(server.port(), 10, 500ms, 1);
    config.timeout = 1s;
    const EngineResult result = run_engine(health_scenario(), config);
    const EndpointStats& stats = result.endpoints.at(0);
    EXPECT_EQ(stats.scheduled, 5u);
    EXPECT_EQ(errors_of(stats, ErrorKind::timeout) + errors_of(stats, ErrorKind::unfinished), 5u);
    EXPECT_GE(errors_of(stats, ErrorKind::unfinished), 3u);
}

TEST(Engine, RefusedConnectionsCountAsConnectErrors) {
    std::uint16_t port = 0;
    {
        net::io_context io;
        tcp::acceptor probe(io, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
        port = probe.local_endpoint().port();
    }  // closed again: nothing listens there now
    const EngineResult result = run_engine(health_scenario(), config_for(port, 40, 250ms, 2));
    const EndpointStats& stats = result.endpoints.at(0);
    EXPECT_EQ(stats.scheduled, 10u);
    EXPECT_EQ(errors_of(stats, ErrorKind::connect), 10u);
}

TEST(Engine, RequestsBeyondTheQueueBoundAreDropped) {
    DelayedServer server(200ms);
    auto config = config_for(server.port(), 100, 300ms, 1);
    config.max_queue = 5;
    const EngineResult result = run_engine(health_scenario(), config);
    const EndpointStats& stats = result.endpoints.at(0);
    EXPECT_EQ(stats.scheduled, 30u);
    EXPECT_GT(errors_of(stats, ErrorKind::dropped), 15u);
    EXPECT_EQ(stats.responses() + stats.error_count(), 30u);  // every request is accounted for
}

}  // namespace
}  // namespace inbox::loadgen
