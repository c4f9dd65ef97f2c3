#include "server_responses.hpp"

#include "inbox/http/responses.hpp"

#include <boost/asio/write.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/write.hpp>

#include <unistd.h>

#include <algorithm>
#include <array>
#include <vector>

namespace inbox::http::server_detail {
namespace {

// Sets the headers every response carries, then sizes the body.
void finalize(Response& response, const Request& request, bool keep_alive) {
    auto& message = response.message;
    message.version(request.message.version() == 10 ? 10 : 11);
    message.set("X-Request-Id", request.request_id);
    message.keep_alive(keep_alive);
    message.prepare_payload();
    if (request.method() == Verb::head) {
        auto length = message.body().size();
        message.body().clear();
        message.content_length(length);
    }
}

}  // namespace

// After an error that ends the connection, stop sending and discard what the client still sends for a moment, so
// our response is read before the socket closes (closing with unread data would reset the connection).
asio::awaitable<void> linger_close(beast::tcp_stream& stream) {
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    std::array<char, 16 * 1024> sink{};
    stream.expires_after(std::chrono::seconds(1));
    for (std::size_t discarded = 0; discarded < 8 * 1024 * 1024;) {
        auto [ec, n] = co_await stream.async_read_some(asio::buffer(sink), kTuple);
        if (ec) break;
        discarded += n;
    }
    stream.close();
}

asio::awaitable<void> send_and_record(Server::State& state, beast::tcp_stream& stream, Request& request,
                                      Response& response, bool keep_alive,
                                      std::chrono::steady_clock::time_point started, beast::error_code& write_error) {
    finalize(response, request, keep_alive);
    stream.expires_after(state.options.write_timeout);
    auto [ec, bytes] = co_await beast_http::async_write(stream, response.message, kTuple);
    write_error = ec;
    state.dispatcher.record(request, response.message.result_int(), bytes, std::chrono::steady_clock::now() - started);
}

// A file body: the header with its Content-Length, then the file region in 64 KiB pieces (each write under the write
// timeout). A file that ends early (it cannot: the store never changes a file) fails the write, which closes the
// connection rather than sending a short body.
asio::awaitable<void> send_file_and_record(Server::State& state, beast::tcp_stream& stream, Request& request,
                                           Response& response, bool keep_alive,
                                           std::chrono::steady_clock::time_point started,
                                           beast::error_code& write_error) {
    const auto& file = *response.file;
    beast_http::response<beast_http::empty_body> head;
    head.base() = response.message.base();
    head.version(request.message.version() == 10 ? 10 : 11);
    head.set("X-Request-Id", request.request_id);
    head.keep_alive(keep_alive);
    head.content_length(file.length);
    beast_http::response_serializer<beast_http::empty_body> serializer(head);
    stream.expires_after(state.options.write_timeout);
    auto [ec, bytes] = co_await beast_http::async_write_header(stream, serializer, kTuple);
    if (!ec && request.method() != Verb::head) {
        std::vector<char> chunk(64 * 1024);
        auto offset = file.offset;
        for (auto remaining = file.length; remaining > 0 && !ec;) {
            const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(remaining, chunk.size()));
            const auto got = ::pread(file.file.fd(), chunk.data(), want, static_cast<off_t>(offset));
            if (got <= 0) {
                ec = asio::error::make_error_code(asio::error::eof);
                break;
            }
            stream.expires_after(state.options.write_timeout);
            auto [chunk_ec, written] =
                co_await asio::async_write(stream, asio::buffer(chunk.data(), static_cast<std::size_t>(got)), kTuple);
            ec = chunk_ec;
            bytes += written;
            offset += static_cast<std::uint64_t>(got);
            remaining -= static_cast<std::uint64_t>(got);
        }
    }
    write_error = ec;
    state.dispatcher.record(request, head.result_int(), bytes, std::chrono::steady_clock::now() - started);
}

// An error found while reading the request: answered, then the connection is closed.
asio::awaitable<void> reject(Server::State& state, beast::tcp_stream& stream, Request& request, ApiError error,
                             std::chrono::steady_clock::time_point started) {
    auto response = error_response(error, request.request_id);
    beast::error_code ignored;
    co_await send_and_record(state, stream, request, response, false, started, ignored);
    co_await linger_close(stream);
}

}  // namespace inbox::http::server_detail
