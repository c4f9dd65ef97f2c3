#pragma once
// The Beast side of a Connection: only the translation units that do I/O on it include this.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <optional>

#include "connection.hpp"
#include "inbox/graph/http_error.hpp"

namespace inbox::graph {

namespace asio = boost::asio;
namespace beast = boost::beast;
inline constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

struct Connection {
    Connection(const asio::any_io_executor& executor, Origin where, std::shared_ptr<asio::ssl::context> context);

    asio::strand<asio::any_io_executor> strand;
    Origin origin;
    std::shared_ptr<asio::ssl::context> tls_context;  // keeps the context alive as long as the stream
    std::optional<beast::tcp_stream> plain;           // exactly one of these two is engaged
    std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
    bool host_name_mismatch = false;  // set by the verify callback: the chain was fine, the name was not

    beast::tcp_stream& tcp() { return secure ? beast::get_lowest_layer(*secure) : *plain; }
};

// Maps a write/read failure to the error a caller sees. `nothing_received`: not a byte of the response arrived.
[[noreturn]] void throw_transfer_error(const beast::error_code& ec, bool nothing_received, std::string_view during);

}  // namespace inbox::graph
