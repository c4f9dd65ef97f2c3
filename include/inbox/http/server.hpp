#pragma once
// The HTTP/1.1 server: an acceptor and one coroutine per connection. Drain stops accepting, closes idle keep-alive
// connections, lets in-flight requests finish and closes their connections after the response.
#include <boost/asio/io_context.hpp>

#include "inbox/http/connection_limiter.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace inbox::http {

class Dispatcher;

struct ServerOptions {
    std::string host = "0.0.0.0";
    std::uint16_t port = 8080;  // 0 → an ephemeral port (tests)
    std::chrono::milliseconds idle_timeout{60'000};   // keep-alive connection with no request
    std::chrono::milliseconds header_timeout{10'000};  // first byte → complete header (slow clients are dropped)
    std::chrono::milliseconds body_timeout{30'000};
    std::chrono::milliseconds write_timeout{30'000};
    ConnectionLimits connection_limits;  // over them a new connection is answered 503 and closed
};

class Server {
public:
    Server(boost::asio::io_context& io, const Dispatcher& dispatcher, ServerOptions options);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    // Binds and starts accepting; throws when the address cannot be bound.
    void start();
    std::uint16_t port() const noexcept;

    void begin_drain();
    bool draining() const noexcept;
    // Draining, the acceptor closed and every connection finished: the process may exit without resetting anyone.
    bool drained() const noexcept;
    std::size_t active_connections() const noexcept;

    struct State;  // shared with the connection coroutines

private:
    std::shared_ptr<State> state_;
};

}  // namespace inbox::http
