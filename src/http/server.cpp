#include "inbox/http/server.hpp"

#include "inbox/http/dispatcher.hpp"
#include "inbox/http/request_id.hpp"
#include "inbox/http/responses.hpp"
#include "inbox/http/stream_writer.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/chunk_encode.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <spdlog/spdlog.h>

#include <unistd.h>

#include <algorithm>
#include <mutex>
#include <tuple>
#include <unordered_map>
#include <vector>

namespace inbox::http {
namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
using asio::use_awaitable;
constexpr auto kTuple = asio::as_tuple(use_awaitable);

namespace {

// How long a connection accepted during the drain may take to send its first request.
constexpr std::chrono::milliseconds kDrainFirstRequestWait{1'000};

struct Connection {
    explicit Connection(tcp::socket socket) : stream(std::move(socket)) {}
    beast::tcp_stream stream;
    // Both only touched on the connection's strand.
    bool idle = true;                        // waiting for the first byte of a request
    bool served = false;                     // answered a request already (an idle one is then a keep-alive)
    std::weak_ptr<StreamWriter> streaming;   // set while a streamed body (SSE) is being produced
};

}  // namespace

struct Server::State {
    State(asio::io_context& io_context, const Dispatcher& dispatcher_ref, ServerOptions server_options)
        : io(io_context),
          dispatcher(dispatcher_ref),
          options(std::move(server_options)),
          acceptor(asio::make_strand(io)),
          limiter(options.connection_limits) {}

    asio::io_context& io;
    const Dispatcher& dispatcher;
    ServerOptions options;
    tcp::acceptor acceptor;
    ConnectionLimiter limiter;
    std::atomic<bool> draining{false};
    // Until the drain closed the acceptor (on its strand), the kernel may still complete connections: exiting
    // before that would reset them.
    std::atomic<bool> listening{false};
    std::atomic<std::uint16_t> bound_port{0};

    std::mutex mutex;
    std::uint64_t next_connection_id = 0;
    std::unordered_map<std::uint64_t, std::shared_ptr<Connection>> connections;

    std::uint64_t add(std::shared_ptr<Connection> connection) {
        std::lock_guard lock(mutex);
        connections.emplace(++next_connection_id, std::move(connection));
        return next_connection_id;
    }
    void remove(std::uint64_t id) {
        std::lock_guard lock(mutex);
        connections.erase(id);
    }
};

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

// The StreamWriter of a streamed response: chunked transfer coding on HTTP/1.1, raw bytes until close on 1.0.
class ConnectionStreamWriter final : public StreamWriter,
                                     public std::enable_shared_from_this<ConnectionStreamWriter> {
public:
    // Holds the connection (and the server state) so a wake() or abort() posted late never meets a dead stream.
    ConnectionStreamWriter(std::shared_ptr<Connection> connection, bool chunked, std::chrono::milliseconds write_timeout,
                           std::shared_ptr<Server::State> state)
        : connection_(std::move(connection)), stream_(connection_->stream), timer_(stream_.get_executor()),
          chunked_(chunked), write_timeout_(write_timeout), state_(std::move(state)) {}

    asio::awaitable<bool> write(std::string data) override {
        if (aborted_) co_return false;
        if (data.empty()) co_return true;
        stream_.expires_after(write_timeout_);
        beast::error_code ec;
        std::size_t written = 0;
        if (chunked_) {
            std::tie(ec, written) = co_await asio::async_write(stream_, beast_http::make_chunk(asio::buffer(data)), kTuple);
        } else {
            std::tie(ec, written) = co_await asio::async_write(stream_, asio::buffer(data), kTuple);
        }
        bytes_ += written;
        co_return !ec;
    }

    asio::awaitable<void> wait(std::chrono::milliseconds timeout) override {
        if (woken_.exchange(false)) co_return;  // a wake() that came while nobody waited is not lost
        timer_.expires_after(timeout);
        co_await timer_.async_wait(kTuple);
        woken_ = false;
    }

    void wake() override {
        woken_ = true;
        // The timer belongs to the connection's strand; the cancel runs there.
        asio::post(timer_.get_executor(), [weak = weak_from_this()] {
            if (auto self = weak.lock()) self->timer_.cancel();
        });
    }

    void abort() override {
        asio::post(timer_.get_executor(), [weak = weak_from_this()] {
            if (auto self = weak.lock()) {
                self->aborted_ = true;
                self->timer_.cancel();
                beast::error_code ignored;
                self->stream_.socket().close(ignored);
            }
        });
    }

    bool closing() const override { return state_->draining; }

    asio::awaitable<void> finish() {
        if (!chunked_ || aborted_) co_return;
        stream_.expires_after(write_timeout_);
        auto [ec, written] = co_await asio::async_write(stream_, beast_http::make_chunk_last(), kTuple);
        bytes_ += written;
    }

    std::size_t bytes() const noexcept { return bytes_; }

private:
    std::shared_ptr<Connection> connection_;
    beast::tcp_stream& stream_;
    asio::steady_timer timer_;
    bool chunked_;
    std::chrono::milliseconds write_timeout_;
    std::shared_ptr<Server::State> state_;
    std::atomic<bool> woken_{false};
    bool aborted_ = false;  // strand only
    std::size_t bytes_ = 0;
};

// Sends the header of a streamed response, hands the connection to the route's producer, then ends the body. The
// connection is closed afterwards (an event stream is the last thing on its connection).
asio::awaitable<void> serve_stream(std::shared_ptr<Server::State> state, std::shared_ptr<Connection> connection,
                                   Request& request, Response& response,
                                   std::chrono::steady_clock::time_point started) {
    auto& stream = connection->stream;
    bool chunked = request.message.version() != 10;
    beast_http::response<beast_http::empty_body> head;
    head.base() = response.message.base();
    head.version(chunked ? 11 : 10);
    head.set("X-Request-Id", request.request_id);
    head.keep_alive(false);
    head.chunked(chunked);
    beast_http::response_serializer<beast_http::empty_body> serializer(head);
    stream.expires_after(state->options.write_timeout);
    auto [ec, header_bytes] = co_await beast_http::async_write_header(stream, serializer, kTuple);
    std::size_t bytes = header_bytes;
    if (!ec && request.method() != Verb::head) {  // HEAD: the header, then the close ends an empty body
        auto writer = std::make_shared<ConnectionStreamWriter>(connection, chunked, state->options.write_timeout, state);
        connection->streaming = writer;
        co_await response.stream(writer);
        connection->streaming.reset();
        co_await writer->finish();
        bytes += writer->bytes();
    }
    state->dispatcher.record(request, head.result_int(), bytes, std::chrono::steady_clock::now() - started);
}

bool is_parse_error(const beast::error_code& ec) { return ec.category() == beast_http::make_error_code(beast_http::error::bad_target).category(); }

asio::awaitable<void> serve_connection(std::shared_ptr<Server::State> state, std::shared_ptr<Connection> connection,
                                       std::uint64_t id, std::string address) {
    auto& stream = connection->stream;
    const auto& options = state->options;
    beast::flat_buffer buffer;
    for (;;) {
        // Wait for the next request's first byte under the idle timeout (unless it already arrived pipelined).
        if (buffer.size() == 0) {
            // Draining: a keep-alive connection ends here; one accepted from the backlog at the drain still gets
            // its first request served (briefly waited for), so no client that connected in time is dropped.
            if (state->draining && connection->served) break;
            connection->idle = true;
            stream.expires_after(state->draining ? std::min(options.idle_timeout, kDrainFirstRequestWait)
                                                 : options.idle_timeout);
            auto [ec, n] = co_await stream.async_read_some(buffer.prepare(8192), kTuple);
            connection->idle = false;
            if (ec) break;
            buffer.commit(n);
        }
        auto started = std::chrono::steady_clock::now();
        Request request;

        // A fresh parser per request (the 1.81 examples' reuse is a bug).
        beast_http::request_parser<beast_http::string_body> parser;
        parser.header_limit(8 * 1024);
        // No limit while reading the header: Beast would fail the header read itself (→ 400) on a Content-Length
        // over its limit. The route's limit is checked below (→ 413) and set before the body is read.
        parser.body_limit(boost::none);
        stream.expires_after(options.header_timeout);
        auto [header_ec, header_bytes] = co_await beast_http::async_read_header(stream, buffer, parser, kTuple);
        if (header_ec) {
            request.request_id = accept_or_generate_request_id({});
            if (header_ec == beast_http::error::header_limit) {
                co_await reject(*state, stream, request,
                                ApiError{Status::request_header_fields_too_large, "bad_request",
                                         "request headers exceed 8 KiB"},
                                started);
            } else if (is_parse_error(header_ec) && header_ec != beast_http::error::end_of_stream &&
                       header_ec != beast_http::error::partial_message) {
                co_await reject(*state, stream, request, ApiError::bad_request("malformed HTTP request"), started);
            }
            break;  // timeout, reset or end of stream: nothing to answer
        }

        request.request_id = accept_or_generate_request_id(parser.get()["X-Request-Id"]);
        auto limit = state->dispatcher.body_limit_for(parser.get().method(), parser.get().target());
        if (parser.content_length() && *parser.content_length() > limit) {
            request.message.base() = parser.get().base();
            co_await reject(*state, stream, request,
                            ApiError{Status::payload_too_large, "payload_too_large",
                                     "request body exceeds " + std::to_string(limit) + " bytes"},
                            started);
            break;
        }
        parser.body_limit(limit);
        if (!parser.is_done()) {
            if (beast::iequals(parser.get()[Field::expect], "100-continue")) {
                static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
                stream.expires_after(options.write_timeout);
                auto [ec, n] = co_await asio::async_write(stream, asio::buffer(kContinue), kTuple);
                if (ec) break;
            }
            stream.expires_after(options.body_timeout);
            auto [body_ec, body_bytes] = co_await beast_http::async_read(stream, buffer, parser, kTuple);
            if (body_ec) {
                request.message.base() = parser.get().base();
                if (body_ec == beast_http::error::body_limit) {
                    co_await reject(*state, stream, request,
                                    ApiError{Status::payload_too_large, "payload_too_large",
                                             "request body exceeds " + std::to_string(limit) + " bytes"},
                                    started);
                } else if (is_parse_error(body_ec) && body_ec != beast_http::error::end_of_stream &&
                           body_ec != beast_http::error::partial_message) {
                    co_await reject(*state, stream, request, ApiError::bad_request("malformed request body"),
                                    started);
                }
                break;
            }
        }

        request.message = parser.release();
        auto response = co_await state->dispatcher.dispatch(request);
        if (response.stream) {
            connection->idle = false;
            co_await serve_stream(state, connection, request, response, started);
            break;
        }
        bool keep_alive = request.message.keep_alive() && !state->draining;
        beast::error_code write_error;
        if (response.file) {
            co_await send_file_and_record(*state, stream, request, response, keep_alive, started, write_error);
        } else {
            co_await send_and_record(*state, stream, request, response, keep_alive, started, write_error);
        }
        connection->served = true;
        if (write_error || !keep_alive) break;
    }
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream.close();
    state->remove(id);
    state->limiter.release(address);
}

// A connection over a limit: one 503 (counted under the route label "connection_limit"), then closed.
asio::awaitable<void> refuse_connection(std::shared_ptr<Server::State> state, tcp::socket socket,
                                        ConnectionLimiter::Verdict verdict) {
    beast::tcp_stream stream(std::move(socket));
    Request request;
    request.request_id = accept_or_generate_request_id({});
    request.route_template = "connection_limit";
    auto why = verdict == ConnectionLimiter::Verdict::over_per_address ? "too many connections from this address"
                                                                        : "too many connections";
    co_await reject(*state, stream, request, ApiError::service_unavailable(why), std::chrono::steady_clock::now());
}

// Starts serving an accepted socket, or refuses it when it is over a connection limit.
void launch_connection(const std::shared_ptr<Server::State>& state, tcp::socket socket) {
    beast::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    auto remote = socket.remote_endpoint(ignored);
    auto address = remote.address().to_string();
    if (auto verdict = state->limiter.admit(address); verdict != ConnectionLimiter::Verdict::admitted) {
        auto executor = socket.get_executor();
        asio::co_spawn(executor, refuse_connection(state, std::move(socket), verdict), asio::detached);
        return;
    }
    auto connection = std::make_shared<Connection>(std::move(socket));
    auto id = state->add(connection);
    auto executor = connection->stream.get_executor();
    asio::co_spawn(executor, serve_connection(state, std::move(connection), id, std::move(address)), asio::detached);
}

asio::awaitable<void> accept_loop(std::shared_ptr<Server::State> state) {
    for (;;) {
        auto [ec, socket] = co_await state->acceptor.async_accept(asio::make_strand(state->io), kTuple);
        if (ec) {
            if (state->draining || ec == asio::error::operation_aborted || !state->acceptor.is_open()) co_return;
            // Out of descriptors and similar: back off instead of spinning.
            spdlog::warn("accept failed: {}", ec.message());
            asio::steady_timer pause(state->acceptor.get_executor(), std::chrono::milliseconds(50));
            co_await pause.async_wait(kTuple);
            continue;
        }
        launch_connection(state, std::move(socket));
    }
}

}  // namespace

Server::Server(asio::io_context& io, const Dispatcher& dispatcher, ServerOptions options)
    : state_(std::make_shared<State>(io, dispatcher, std::move(options))) {}

Server::~Server() = default;

void Server::start() {
    auto address = asio::ip::make_address(state_->options.host);
    tcp::endpoint endpoint(address, state_->options.port);
    auto& acceptor = state_->acceptor;
    try {
        acceptor.open(endpoint.protocol());
        acceptor.set_option(asio::socket_base::reuse_address(true));
        acceptor.bind(endpoint);
        acceptor.listen(asio::socket_base::max_listen_connections);
    } catch (const boost::system::system_error& error) {
        throw std::runtime_error("cannot listen on " + state_->options.host + ":" +
                                 std::to_string(state_->options.port) + ": " + error.code().message());
    }
    state_->bound_port = acceptor.local_endpoint().port();
    state_->listening = true;
    asio::co_spawn(acceptor.get_executor(), accept_loop(state_), asio::detached);
}

std::uint16_t Server::port() const noexcept { return state_->bound_port; }

void Server::begin_drain() {
    if (state_->draining.exchange(true)) return;
    asio::post(state_->acceptor.get_executor(), [state = state_] {
        // Connections the kernel completed but nobody accepted yet would be reset by close(): take them first.
        beast::error_code ec;
        state->acceptor.non_blocking(true, ec);
        while (!ec) {
            tcp::socket socket(asio::make_strand(state->io));
            state->acceptor.accept(socket, ec);
            if (!ec) launch_connection(state, std::move(socket));
        }
        state->acceptor.close(ec);
        state->listening = false;
    });
    std::lock_guard lock(state_->mutex);
    for (auto& entry : state_->connections) {
        auto connection = entry.second;  // not a structured binding: clang before 16 cannot capture one
        asio::post(connection->stream.get_executor(), [connection] {
            if (connection->idle && connection->served) connection->stream.socket().cancel();
            if (connection->idle && !connection->served) {
                // Connected, no request yet: it gets a moment to send its first one.
                auto grace = std::make_shared<asio::steady_timer>(connection->stream.get_executor(),
                                                                  kDrainFirstRequestWait);
                grace->async_wait([connection, grace](const beast::error_code&) {
                    if (connection->idle && !connection->served) connection->stream.socket().cancel();
                });
            }
            if (auto writer = connection->streaming.lock()) writer->wake();
        });
    }
}

bool Server::draining() const noexcept { return state_->draining; }

bool Server::drained() const noexcept { return state_->draining && !state_->listening && active_connections() == 0; }

std::size_t Server::active_connections() const noexcept {
    std::lock_guard lock(state_->mutex);
    return state_->connections.size();
}

}  // namespace inbox::http
