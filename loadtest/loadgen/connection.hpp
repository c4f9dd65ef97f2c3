#pragma once

// Internal to the engine: includes Beast, so only engine.cpp and connection.cpp include it.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <optional>

#include "loadgen/dispatcher.hpp"
#include "loadgen/stats.hpp"

namespace inbox::loadgen {

namespace net = boost::asio;

// What every connection shares with the engine.
struct ConnectionContext {
    Dispatcher& dispatcher;
    Recorder& recorder;
    net::ip::tcp::endpoint endpoint;
    Nanos timeout;
};

// One persistent keep-alive HTTP/1.1 connection: takes due requests from the dispatcher one at a time,
// (re)connects when needed, and records each request's outcome. Runs on its own strand.
class Connection final : public Waiter {
public:
    using Executor = net::strand<net::io_context::executor_type>;

    Connection(net::io_context& io, ConnectionContext& context);

    Executor executor() const { return strand_; }
    net::awaitable<void> run();
    // Opens the socket if it is closed; the error (if any) is returned, not recorded.
    net::awaitable<boost::system::error_code> connect();

    void deliver(std::optional<PendingRequest> request) override;
    // Abort: in-flight work is counted as unfinished and run() returns. Callable from any thread.
    void stop();

private:
    net::awaitable<void> execute(PendingRequest& request);
    void fail(const PendingRequest& request, ErrorKind kind);
    void close();

    ConnectionContext& context_;
    Executor strand_;
    boost::beast::tcp_stream stream_;
    boost::beast::flat_buffer buffer_;
    net::steady_timer wake_;
    std::optional<PendingRequest> delivered_;
    bool stopping_ = false;
};

}  // namespace inbox::loadgen
