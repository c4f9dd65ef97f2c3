#pragma once
// A blocking test client over a raw TCP socket: the test writes exact bytes and reads responses with Beast's
// parser (pipelined responses stay buffered between reads). Every operation has a deadline, so a server that
// never answers fails the test instead of hanging it.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace inbox::http::testing {

using RawResponse = boost::beast::http::response<boost::beast::http::string_body>;

class RawClient {
public:
    // Connects to 127.0.0.1:port; throws on failure.
    explicit RawClient(std::uint16_t port);
    ~RawClient();
    RawClient(const RawClient&) = delete;
    RawClient& operator=(const RawClient&) = delete;

    // Tries to connect; answers the error (e.g. connection_refused) or success.
    static boost::system::error_code try_connect(std::uint16_t port);

    // Writes all bytes; answers false when the write failed (peer closed/reset) or timed out.
    bool send(std::string_view bytes, std::chrono::milliseconds timeout = std::chrono::seconds(5));

    // Reads one response; nullopt on timeout, EOF or a parse error. `head_request` = the request was HEAD
    // (the response has Content-Length but no body).
    std::optional<RawResponse> read_response(std::chrono::milliseconds timeout = std::chrono::seconds(5),
                                             bool head_request = false);

    // Waits for the peer to close (EOF or reset), discarding whatever arrives. True when closed within timeout.
    bool wait_closed(std::chrono::milliseconds timeout = std::chrono::seconds(3));

private:
    template <typename Start>
    bool run_op(Start&& start, std::chrono::milliseconds timeout);

    boost::asio::io_context io_;
    boost::asio::ip::tcp::socket socket_;
    boost::beast::flat_buffer buffer_;
};

// "GET <target> HTTP/1.1" with Host and the extra header lines (each ending in \r\n).
std::string get_request(std::string_view target, std::string_view extra_headers = {});
// A POST with Content-Length and the body.
std::string post_request(std::string_view target, std::string_view body,
                         std::string_view content_type = "application/json", std::string_view extra_headers = {});

}  // namespace inbox::http::testing
