#pragma once
// Writing answers on a connection: a buffered response, a file body in pieces, and the answer to a request that
// could not be read (then the connection closes). Each records the request in the dispatcher's metrics and log.
// Internal to src/http/.
#include "server_state.hpp"

#include "inbox/http/api_error.hpp"
#include "inbox/http/types.hpp"

#include <boost/asio/awaitable.hpp>

namespace inbox::http::server_detail {

// After an error that ends the connection, stop sending and discard what the client still sends for a moment, so
// our response is read before the socket closes (closing with unread data would reset the connection).
asio::awaitable<void> linger_close(beast::tcp_stream& stream);

asio::awaitable<void> send_and_record(Server::State& state, beast::tcp_stream& stream, Request& request,
                                      Response& response, bool keep_alive,
                                      std::chrono::steady_clock::time_point started, beast::error_code& write_error);

// A file body: the header with its Content-Length, then the file region in 64 KiB pieces.
asio::awaitable<void> send_file_and_record(Server::State& state, beast::tcp_stream& stream, Request& request,
                                           Response& response, bool keep_alive,
                                           std::chrono::steady_clock::time_point started,
                                           beast::error_code& write_error);

// An error found while reading the request: answered, then the connection is closed.
asio::awaitable<void> reject(Server::State& state, beast::tcp_stream& stream, Request& request, ApiError error,
                             std::chrono::steady_clock::time_point started);

}  // namespace inbox::http::server_detail
