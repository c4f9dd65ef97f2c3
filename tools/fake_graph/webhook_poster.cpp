#include "fake_graph/webhook_poster.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>

#include "fake_graph/state.hpp"
#include "fake_graph/webhook_echo.hpp"

namespace fake_graph {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr auto kAwaitTuple = asio::as_tuple(asio::use_awaitable);
constexpr auto kAttemptTimeout = std::chrono::seconds(10);
constexpr auto kGiveUpAfter = std::chrono::minutes(5);
constexpr auto kMaxBackoff = std::chrono::seconds(5);

asio::awaitable<void> sleep_for(std::chrono::milliseconds delay) {
    if (delay.count() <= 0) co_return;
    asio::steady_timer timer(co_await asio::this_coro::executor, delay);
    co_await timer.async_wait(kAwaitTuple);
}

asio::awaitable<bool> attempt(const std::string& url_text, const std::string& app_secret, const std::string& body) {
    const auto url = boost::urls::parse_uri(url_text);
    if (!url || url->scheme() != "http") co_return false;
    const std::string host = url->host();
    const std::string port = url->has_port() ? std::string(url->port()) : "80";
    std::string target = url->encoded_path().empty() ? "/" : std::string(url->encoded_path());
    if (url->has_query()) target += "?" + std::string(url->encoded_query());

    auto executor = co_await asio::this_coro::executor;
    tcp::resolver resolver(executor);
    auto [resolve_error, endpoints] = co_await resolver.async_resolve(host, port, kAwaitTuple);
    if (resolve_error) co_return false;
    beast::tcp_stream stream(executor);
    stream.expires_after(kAttemptTimeout);
    if (auto [ec, endpoint] = co_await stream.async_connect(endpoints, kAwaitTuple); ec) co_return false;
    stream.socket().set_option(tcp::no_delay(true));

    http::request<http::string_body> request{http::verb::post, target, 11};
    request.set(http::field::host, host + ":" + port);
    request.set(http::field::content_type, "application/json");
    request.set("X-Hub-Signature-256", webhook_signature(body, app_secret));
    request.keep_alive(false);
    request.body() = body;
    request.prepare_payload();
    stream.expires_after(kAttemptTimeout);
    if (auto [ec, n] = co_await http::async_write(stream, request, kAwaitTuple); ec) co_return false;
    beast::flat_buffer buffer;
    http::response<http::string_body> response;
    stream.expires_after(kAttemptTimeout);
    if (auto [ec, n] = co_await http::async_read(stream, buffer, response, kAwaitTuple); ec) co_return false;
    boost::system::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    co_return response.result_int() >= 200 && response.result_int() < 300;
}

asio::awaitable<void> post_until_acknowledged(State& state, std::string body, std::chrono::milliseconds delay) {
    co_await sleep_for(delay);
    const auto give_up = std::chrono::steady_clock::now() + kGiveUpAfter;
    auto backoff = std::chrono::milliseconds(100);
    while (!co_await post_webhook_once(state, body) && std::chrono::steady_clock::now() < give_up) {
        co_await sleep_for(backoff);
        backoff = std::min<std::chrono::milliseconds>(backoff * 2, kMaxBackoff);
    }
}

}  // namespace

asio::awaitable<bool> post_webhook_once(State& state, const std::string& body) {
    const auto knobs = state.knobs().webhooks;
    bool acknowledged = false;
    if (!knobs.url.empty()) acknowledged = co_await attempt(knobs.url, knobs.app_secret, body);
    state.count_webhook(acknowledged);
    co_return acknowledged;
}

void post_webhook_in_background(asio::any_io_executor executor, State& state, std::string body,
                                std::chrono::milliseconds delay) {
    asio::co_spawn(executor, post_until_acknowledged(state, std::move(body), delay), asio::detached);
}

}  // namespace fake_graph
