#pragma once
// What the server's translation units share (server.cpp, server_responses.cpp, server_stream.cpp,
// request_body.cpp): the server's state and one connection. Internal to src/http/.
#include "inbox/http/server.hpp"

#include "inbox/http/connection_limiter.hpp"
#include "inbox/http/dispatcher.hpp"
#include "inbox/http/stream_writer.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace inbox::http {
namespace server_detail {
namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
inline constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

// How long a connection accepted during the drain may take to send its first request.
inline constexpr std::chrono::milliseconds kDrainFirstRequestWait{1'000};

struct Connection {
    explicit Connection(tcp::socket socket) : stream(std::move(socket)) {}
    beast::tcp_stream stream;
    // Both only touched on the connection's strand.
    bool idle = true;                        // waiting for the first byte of a request
    bool served = false;                     // answered a request already (an idle one is then a keep-alive)
    std::weak_ptr<StreamWriter> streaming;   // set while a streamed body (SSE) is being produced
};

}  // namespace server_detail

struct Server::State {
    State(boost::asio::io_context& io_context, const Dispatcher& dispatcher_ref, ServerOptions server_options)
        : io(io_context),
          dispatcher(dispatcher_ref),
          options(std::move(server_options)),
          acceptor(boost::asio::make_strand(io)),
          limiter(options.connection_limits) {}

    boost::asio::io_context& io;
    const Dispatcher& dispatcher;
    ServerOptions options;
    boost::asio::ip::tcp::acceptor acceptor;
    ConnectionLimiter limiter;
    std::atomic<bool> draining{false};
    // Until the drain closed the acceptor (on its strand), the kernel may still complete connections: exiting
    // before that would reset them.
    std::atomic<bool> listening{false};
    std::atomic<std::uint16_t> bound_port{0};

    std::mutex mutex;
    std::uint64_t next_connection_id = 0;
    std::unordered_map<std::uint64_t, std::shared_ptr<server_detail::Connection>> connections;

    std::uint64_t add(std::shared_ptr<server_detail::Connection> connection) {
        std::lock_guard lock(mutex);
        connections.emplace(++next_connection_id, std::move(connection));
        return next_connection_id;
    }
    void remove(std::uint64_t id) {
        std::lock_guard lock(mutex);
        connections.erase(id);
    }
};

}  // namespace inbox::http
