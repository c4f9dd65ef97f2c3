#include "test_server.hpp"

#include "inbox/http/api_error.hpp"
#include "inbox/http/dispatcher.hpp"
#include "inbox/http/responses.hpp"
#include "inbox/http/router.hpp"
#include "inbox/observability/metrics.hpp"
#include "inbox/util/errors.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

namespace inbox::http::testing {
namespace asio = boost::asio;

namespace {

std::atomic<int> g_slow_started{0};

asio::awaitable<Response> echo_get(Request& request) {
    co_return json_response(Status::ok, {{"id", std::string(request.path_param("id"))}});
}

asio::awaitable<Response> echo_post(Request& request) {
    auto body = parse_json_object_body(request);
    nlohmann::json answer = nlohmann::json::object();
    answer["id"] = std::string(request.path_param("id"));
    answer["body"] = std::move(body);
    co_return json_response(Status::ok, answer);
}

asio::awaitable<Response> slow(Request& request) {
    g_slow_started.fetch_add(1);
    auto text = request.query_param("ms").value_or("0");
    auto ms = std::stoi(text);
    asio::steady_timer timer(co_await asio::this_coro::executor);
    timer.expires_after(std::chrono::milliseconds(ms));
    co_await timer.async_wait(asio::use_awaitable);
    co_return json_response(Status::ok, {{"slept_ms", ms}});
}

asio::awaitable<Response> upload(Request& request) {
    auto size = request.message.body().size();
    co_return json_response(Status::ok, {{"size", size}});
}

asio::awaitable<Response> private_route(Request& request) {
    co_return json_response(Status::ok, {{"user", request.user_id.value_or("")}});
}

asio::awaitable<Response> unavailable(Request&) {
    throw UnavailableError("postgres is down at secret-host:5432");
    co_return Response{};
}

asio::awaitable<Response> boom(Request&) {
    throw std::runtime_error("secret internal detail");
    co_return Response{};
}

asio::awaitable<Response> conflict(Request&) {
    throw ApiError{Status::conflict, "conflict", "already exists", {{"existing_id", "x1"}}};
    co_return Response{};
}

asio::awaitable<Response> head(Request&) { co_return json_response(Status::ok, {{"hello", "world"}}); }

asio::awaitable<Response> health(Request&) { co_return json_response(Status::ok, {{"status", "ok"}}); }

int int_param(const Request& request, std::string_view name, int fallback) {
    auto value = request.query_param(name);
    return value ? std::stoi(*value) : fallback;
}

asio::awaitable<void> produce(std::shared_ptr<StreamWriter> writer, int events, int interval_ms, int abort_at) {
    for (int i = 0; i < events && !writer->closing(); ++i) {
        if (i == abort_at) writer->abort();
        if (!co_await writer->write("data: " + std::to_string(i) + "\n\n")) co_return;
        if (interval_ms > 0) co_await writer->wait(std::chrono::milliseconds(interval_ms));
    }
}

asio::awaitable<Response> stream(Request& request) {
    int events = int_param(request, "events", 3);
    int interval_ms = int_param(request, "interval_ms", 0);
    int abort_at = int_param(request, "abort_at", -1);
    Response response;
    response.message.result(Status::ok);
    response.message.set(Field::content_type, "text/event-stream");
    response.stream = [events, interval_ms, abort_at](std::shared_ptr<StreamWriter> writer) {
        return produce(std::move(writer), events, interval_ms, abort_at);
    };
    co_return response;
}

std::optional<std::string> authenticate(std::string_view token) {
    if (token == "good") return std::string("user-1");
    return std::nullopt;
}

}  // namespace

struct TestServerState {
    TestServerState(ServerOptions options, LoadShedderOptions shedding) : shedder(shedding, metrics) {
        RouteOptions open{.requires_auth = false};
        router.add(Verb::get, "/echo/{id}", echo_get, open);
        router.add(Verb::post, "/echo/{id}", echo_post, open);
        router.add(Verb::get, "/slow", slow, open);
        router.add(Verb::post, "/upload", upload, open);
        router.add(Verb::post, "/upload-large", upload, RouteOptions{.body_limit = kWebhookBodyLimit, .requires_auth = false});
        router.add(Verb::get, "/private", private_route);
        router.add(Verb::get, "/unavailable", unavailable, open);
        router.add(Verb::get, "/boom", boom, open);
        router.add(Verb::get, "/conflict", conflict, open);
        router.add(Verb::head, "/head", head, open);
        router.add(Verb::get, "/head", head, open);
        router.add(Verb::get, "/stream", stream, open);
        router.add(Verb::get, "/health", health, RouteOptions{.requires_auth = false, .sheddable = false});
        dispatcher.emplace(router, authenticate, metrics, &shedder);
        server.emplace(io, *dispatcher, std::move(options));
        server->start();
        for (int i = 0; i < 2; ++i) threads.emplace_back([this] { io.run(); });
    }
    ~TestServerState() {
        work.reset();
        io.stop();
        for (auto& thread : threads) thread.join();
    }

    observability::MetricsRegistry metrics;
    LoadShedder shedder;
    Router router;
    std::optional<Dispatcher> dispatcher;
    asio::io_context io{2};
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work{asio::make_work_guard(io)};
    std::optional<Server> server;  // destroyed before io: its State may outlive it in pending coroutine frames
    std::vector<std::thread> threads;
};

TestServer::TestServer(ServerOptions options, LoadShedderOptions shedding)
    : state_(std::make_unique<TestServerState>(std::move(options), shedding)) {
    g_slow_started = 0;
}
TestServer::~TestServer() = default;

std::uint16_t TestServer::port() const { return state_->server->port(); }
Server& TestServer::server() { return *state_->server; }
LoadShedder& TestServer::shedder() { return state_->shedder; }
std::string TestServer::render_metrics() const { return state_->metrics.render_prometheus(); }
int TestServer::slow_started() const { return g_slow_started.load(); }
void TestServer::sleep_ms(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

ServerOptions test_options() {
    ServerOptions options;
    options.host = "127.0.0.1";
    options.port = 0;
    options.idle_timeout = std::chrono::seconds(10);
    options.header_timeout = std::chrono::seconds(10);
    options.body_timeout = std::chrono::seconds(10);
    options.write_timeout = std::chrono::seconds(10);
    return options;
}

}  // namespace inbox::http::testing
