#pragma once
// One accepted connection served as one coroutine, over plain TCP or TLS. Beast itself stays in session.cpp.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace boost::asio::ssl {
class context;
}

namespace fake_graph {

class Router;
class State;

struct SessionContext {
    const Router& router;
    State& state;
};

// The socket's executor must be a strand: the stream's timer and I/O completions share it.
boost::asio::awaitable<void> serve_plain(boost::asio::ip::tcp::socket socket, SessionContext& ctx);
boost::asio::awaitable<void> serve_tls(boost::asio::ip::tcp::socket socket, boost::asio::ssl::context& tls,
                                       SessionContext& ctx);

}  // namespace fake_graph
