#include "inbox/http/server.hpp"

#include "request_body.hpp"
#include "server_responses.hpp"
#include "server_state.hpp"
#include "server_stream.hpp"

#include "inbox/http/request_id.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <mutex>
#include <vector>

namespace inbox::http {
using namespace server_detail;

namespace {

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
        const auto body_policy = state->dispatcher.body_policy_for(parser.get().method(), parser.get().target());
        const auto limit = body_policy.limit;
        if (parser.content_length() && *parser.content_length() > limit) {
            request.message.base() = parser.get().base();
            co_await reject(*state, stream, request,
                            ApiError{Status::payload_too_large, "payload_too_large",
                                     "request body exceeds " + std::to_string(limit) + " bytes"},
                            started);
            break;
        }
        parser.body_limit(limit);
        if (!parser.is_done() && beast::iequals(parser.get()[Field::expect], "100-continue")) {
            static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
            stream.expires_after(options.write_timeout);
            auto [ec, n] = co_await asio::async_write(stream, asio::buffer(kContinue), kTuple);
            if (ec) break;
        }
        std::shared_ptr<ConnectionBodyReader> body_reader;
        if (body_policy.streamed) {
            // The handler reads the body (uploads): only the header is kept here.
            request.message.base() = parser.get().base();
            body_reader = std::make_shared<ConnectionBodyReader>(stream, buffer, std::move(parser), limit,
                                                                 options.body_timeout);
            request.body_reader = body_reader;
        } else if (!parser.is_done()) {
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

        if (!body_reader) request.message = parser.release();
        auto response = co_await state->dispatcher.dispatch(request);
        // A streamed body its handler did not read to the end (refused early): answer, then close the connection.
        const bool body_left = body_reader && !body_reader->done();
        request.body_reader.reset();
        if (response.stream) {
            connection->idle = false;
            co_await serve_stream(state, connection, request, response, started);
            break;
        }
        bool keep_alive = request.message.keep_alive() && !state->draining && !body_left;
        beast::error_code write_error;
        if (response.file) {
            co_await send_file_and_record(*state, stream, request, response, keep_alive, started, write_error);
        } else {
            co_await send_and_record(*state, stream, request, response, keep_alive, started, write_error);
        }
        connection->served = true;
        if (body_left && !write_error) {
            co_await linger_close(stream);
            break;
        }
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
