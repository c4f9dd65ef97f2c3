#pragma once
// A streamed response (SSE): its header, then the route's producer writes on the connection until it ends or the
// server drains. Internal to src/http/.
#include "server_state.hpp"

#include "inbox/http/types.hpp"

#include <boost/asio/awaitable.hpp>

namespace inbox::http::server_detail {

// Sends the header of a streamed response, hands the connection to the route's producer, then ends the body. The
// connection is closed afterwards (an event stream is the last thing on its connection).
asio::awaitable<void> serve_stream(std::shared_ptr<Server::State> state, std::shared_ptr<Connection> connection,
                                   Request& request, Response& response,
                                   std::chrono::steady_clock::time_point started);

}  // namespace inbox::http::server_detail
