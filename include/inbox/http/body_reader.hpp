#pragma once
// A request body read piece by piece by its handler (uploads), for routes whose RouteOptions::streamed_body is set:
// the server reads only the header, then the handler pulls the body while it stores it, so the whole body is never
// in memory. A body the handler did not read to its end closes the connection after the answer.
#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace inbox::http {

class BodyReader {
public:
    virtual ~BodyReader() = default;
    // The next bytes of the body into `into` (at most its size); 0 once the body has ended. Throws ApiError:
    // 413 past the route's body limit, 400 for a malformed body or one that stalls past the body timeout.
    virtual boost::asio::awaitable<std::size_t> read_some(std::span<char> into) = 0;
    // The declared Content-Length (nullopt for a chunked body).
    virtual std::optional<std::uint64_t> content_length() const = 0;
    // The body was read to its end.
    virtual bool done() const = 0;
};

}  // namespace inbox::http
