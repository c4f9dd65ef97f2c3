#pragma once
// A Server on 127.0.0.1:<ephemeral> with a test router, run by an io_context on two threads.
//
// Routes (all public unless said otherwise):
//   GET  /echo/{id}       {"id": <decoded id>}
//   POST /echo/{id}       parse_json_object_body → {"id": ..., "body": <the object>}
//   GET  /slow?ms=N       sleeps N ms on an asio timer → {"slept_ms": N}
//   POST /upload          default 1 MiB limit → {"size": <body bytes>}
//   POST /upload-large    4 MiB limit → {"size": <body bytes>}
//   GET  /private         requires a bearer token; the authenticator accepts "good" (user "user-1")
//   GET  /unavailable     throws UnavailableError
//   GET  /boom            throws std::runtime_error
//   GET  /conflict        throws ApiError 409 conflict with an extra member
//   HEAD /head, GET /head {"hello": "world"}
//   GET  /health          {"status": "ok"}, never shed
//   GET  /stream?events=N&interval_ms=M&abort_at=K  a streamed body: "data: <i>\n\n" N times, waiting M ms
//                         (or until woken) after each; aborts the connection before event K
#include "inbox/http/load_shedder.hpp"
#include "inbox/http/server.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace inbox::http::testing {

struct TestServerState;

class TestServer {
public:
    // `shedding`: the dispatcher's overload limits (by default none); GET /health is registered unsheddable.
    explicit TestServer(ServerOptions options, LoadShedderOptions shedding = {.max_in_flight = 0, .max_loop_lag = {}});
    ~TestServer();
    TestServer(const TestServer&) = delete;
    TestServer& operator=(const TestServer&) = delete;

    std::uint16_t port() const;
    Server& server();
    std::string render_metrics() const;
    LoadShedder& shedder();
    // Number of /slow handlers that have started so far.
    int slow_started() const;

    // Polls `predicate` until it holds or `timeout` passes; answers its last value.
    template <typename Predicate>
    static bool eventually(Predicate predicate, std::chrono::milliseconds timeout = std::chrono::seconds(3)) {
        auto deadline = std::chrono::steady_clock::now() + timeout;
        while (!predicate()) {
            if (std::chrono::steady_clock::now() >= deadline) return predicate();
            sleep_ms(5);
        }
        return true;
    }

private:
    static void sleep_ms(int ms);
    std::unique_ptr<TestServerState> state_;
};

// Options with test-friendly timeouts (generous, so only tests about timeouts ever hit them).
ServerOptions test_options();

}  // namespace inbox::http::testing
