#include "fake_graph/session.hpp"

#include <algorithm>
#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <vector>

#include "fake_graph/media_bytes.hpp"
#include "fake_graph/router.hpp"
#include "fake_graph/state.hpp"
#include "fake_graph/webhook_poster.hpp"

namespace fake_graph {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr auto kAwaitTuple = asio::as_tuple(asio::use_awaitable);
constexpr auto kIdleTimeout = std::chrono::seconds(120);  // keep-alive connections of a paused load test
constexpr auto kIoTimeout = std::chrono::seconds(30);     // one read of a request or one write
constexpr auto kShutdownTimeout = std::chrono::seconds(2);
constexpr std::size_t kHeaderLimit = 16 * 1024;
constexpr std::uint64_t kBodyLimit = 112 * 1024 * 1024;  // media uploads: up to 100 MiB and their framing
constexpr std::size_t kMediaChunk = 64 * 1024;

asio::awaitable<void> sleep_for(std::chrono::milliseconds delay) {
    if (delay.count() <= 0) co_return;
    asio::steady_timer timer(co_await asio::this_coro::executor, delay);
    co_await timer.async_wait(kAwaitTuple);
}

Request to_request(const http::request<http::string_body>& req) {
    return Request{std::string(req.method_string()), std::string(req.target()), std::string(req[http::field::host]),
                   std::string(req[http::field::authorization]), req.body(),
                   std::string(req[http::field::content_type])};
}

template <class Stream>
asio::awaitable<bool> send_response(Stream& stream, Reply& reply, unsigned version, bool keep_alive) {
    http::response<http::string_body> res;
    res.version(version);
    res.result(static_cast<unsigned>(reply.status));
    res.set(http::field::server, "fake-graph");
    res.set(http::field::content_type, reply.content_type);
    res.keep_alive(keep_alive);
    res.body() = std::move(reply.body);
    res.prepare_payload();
    beast::get_lowest_layer(stream).expires_after(kIoTimeout);
    // Header and body leave in one gather write (no delayed-ACK stall between them).
    const auto [ec, written] = co_await http::async_write(stream, res, kAwaitTuple);
    co_return !ec;
}

// The body is produced chunk by chunk: memory per download is one chunk, whatever the media size.
template <class Stream>
asio::awaitable<bool> stream_media(Stream& stream, const Reply& reply, unsigned version, bool keep_alive,
                                   State& state) {
    http::response<http::buffer_body> res{http::status::ok, version};
    res.set(http::field::server, "fake-graph");
    res.set(http::field::content_type, reply.content_type);
    res.content_length(reply.media_size);
    res.keep_alive(keep_alive);
    http::response_serializer<http::buffer_body> serializer{res};

    const MediaBytes bytes(reply.media_id);
    std::vector<char> chunk(static_cast<std::size_t>(std::min<std::uint64_t>(kMediaChunk, reply.media_size)));
    std::uint64_t offset = 0;
    do {
        const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(chunk.size(), reply.media_size - offset));
        bytes.fill(offset, std::span(chunk.data(), n));
        offset += n;
        res.body().data = n > 0 ? chunk.data() : nullptr;
        res.body().size = n;
        res.body().more = offset < reply.media_size;
        beast::get_lowest_layer(stream).expires_after(kIoTimeout);
        auto [ec, written] = co_await http::async_write(stream, serializer, kAwaitTuple);
        if (ec == http::error::need_buffer) ec = {};  // the chunk is out; the serializer wants the next one
        if (ec) co_return false;
        state.add_media_bytes(n);
    } while (offset < reply.media_size);
    co_return true;
}

// Never answers: reads (and drops) until the client gives up and closes, which ends the coroutine.
template <class Stream>
asio::awaitable<void> hang(Stream& stream) {
    beast::get_lowest_layer(stream).expires_never();
    std::array<char, 4096> sink{};
    for (;;) {
        const auto [ec, n] = co_await stream.async_read_some(asio::buffer(sink), kAwaitTuple);
        if (ec) co_return;
    }
}

// Closes with SO_LINGER 0, so the peer sees a reset rather than a tidy end of stream.
void reset_connection(tcp::socket& socket) {
    boost::system::error_code ignored;
    socket.set_option(asio::socket_base::linger(true, 0), ignored);
    socket.close(ignored);
}

// Meta may deliver a message's statuses before its send call returns: these deliveries are acknowledged (or given
// to the background to retry) before the answer leaves.
asio::awaitable<void> post_webhooks_before(const Reply& reply, State& state) {
    for (const auto& body : reply.webhooks_before) {
        if (!co_await post_webhook_once(state, body)) {
            post_webhook_in_background(co_await asio::this_coro::executor, state, body, std::chrono::milliseconds(100));
        }
    }
}

void post_webhooks_after(const Reply& reply, State& state, const asio::any_io_executor& executor) {
    if (reply.webhooks_after.empty()) return;
    const auto delay = std::chrono::milliseconds(state.knobs().webhooks.after_delay_ms);
    for (const auto& body : reply.webhooks_after) post_webhook_in_background(executor, state, body, delay);
}

enum class Ending { peer_gone, we_close };

template <class Stream>
asio::awaitable<Ending> serve_requests(Stream& stream, SessionContext& ctx) {
    beast::flat_buffer buffer;  // outlives each request: it may already hold the next pipelined one
    for (;;) {
        http::request_parser<http::string_body> parser;  // a fresh parser per request
        parser.header_limit(kHeaderLimit);
        parser.body_limit(kBodyLimit);
        beast::get_lowest_layer(stream).expires_after(kIdleTimeout);
        const auto [ec, n] = co_await http::async_read(stream, buffer, parser, kAwaitTuple);
        // end_of_stream, timeout, reset, oversized request: the connection is over (never loop on an error).
        if (ec) co_return Ending::peer_gone;

        const auto& req = parser.get();
        const bool keep_alive = req.keep_alive();
        Reply reply = ctx.router.handle(to_request(req));
        co_await post_webhooks_before(reply, ctx.state);
        co_await sleep_for(reply.delay);

        bool ok = true;
        switch (reply.kind) {
        case Reply::Kind::respond: ok = co_await send_response(stream, reply, req.version(), keep_alive); break;
        case Reply::Kind::stream_media:
            ok = co_await stream_media(stream, reply, req.version(), keep_alive, ctx.state);
            break;
        case Reply::Kind::hang: co_await hang(stream); co_return Ending::peer_gone;
        case Reply::Kind::reset: reset_connection(beast::get_lowest_layer(stream).socket()); co_return Ending::peer_gone;
        }
        post_webhooks_after(reply, ctx.state, co_await asio::this_coro::executor);
        if (!ok) co_return Ending::peer_gone;
        if (!keep_alive) co_return Ending::we_close;
    }
}

}  // namespace

asio::awaitable<void> serve_plain(tcp::socket socket, SessionContext& ctx) {
    boost::system::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    co_await sleep_for(ctx.state.connection_delay());
    beast::tcp_stream stream(std::move(socket));
    if (co_await serve_requests(stream, ctx) == Ending::we_close) {
        stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    }
}

asio::awaitable<void> serve_tls(tcp::socket socket, asio::ssl::context& tls, SessionContext& ctx) {
    boost::system::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    co_await sleep_for(ctx.state.connection_delay());
    beast::ssl_stream<beast::tcp_stream> stream(std::move(socket), tls);
    beast::get_lowest_layer(stream).expires_after(kIoTimeout);
    if (const auto [ec] = co_await stream.async_handshake(asio::ssl::stream_base::server, kAwaitTuple); ec) co_return;
    if (co_await serve_requests(stream, ctx) == Ending::we_close) {
        beast::get_lowest_layer(stream).expires_after(kShutdownTimeout);
        co_await stream.async_shutdown(kAwaitTuple);
    }
}

}  // namespace fake_graph
