#include "raw_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/read.hpp>

#include <array>
#include <stdexcept>

namespace inbox::http::testing {
namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

RawClient::RawClient(std::uint16_t port) : socket_(io_) {
    socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    socket_.set_option(tcp::no_delay(true));
}

RawClient::~RawClient() {
    boost::system::error_code ignored;
    socket_.close(ignored);
}

boost::system::error_code RawClient::try_connect(std::uint16_t port) {
    asio::io_context io;
    tcp::socket socket(io);
    boost::system::error_code ec;
    socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
    return ec;
}

template <typename Start>
bool RawClient::run_op(Start&& start, std::chrono::milliseconds timeout) {
    bool done = false;
    start(done);
    io_.restart();
    io_.run_for(timeout);
    if (!done) {
        boost::system::error_code ignored;
        socket_.cancel(ignored);
        io_.restart();
        io_.run();
        return false;
    }
    return true;
}

bool RawClient::send(std::string_view bytes, std::chrono::milliseconds timeout) {
    boost::system::error_code result;
    bool completed = run_op(
        [&](bool& done) {
            asio::async_write(socket_, asio::buffer(bytes.data(), bytes.size()),
                              [&](boost::system::error_code ec, std::size_t) {
                                  result = ec;
                                  done = true;
                              });
        },
        timeout);
    return completed && !result;
}

std::optional<RawResponse> RawClient::read_response(std::chrono::milliseconds timeout, bool head_request) {
    beast::http::response_parser<beast::http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    parser.skip(head_request);
    boost::system::error_code result;
    bool completed = run_op(
        [&](bool& done) {
            beast::http::async_read(socket_, buffer_, parser, [&](boost::system::error_code ec, std::size_t) {
                result = ec;
                done = true;
            });
        },
        timeout);
    if (!completed || result) return std::nullopt;
    return parser.release();
}

bool RawClient::wait_closed(std::chrono::milliseconds timeout) {
    buffer_.consume(buffer_.size());
    auto deadline = std::chrono::steady_clock::now() + timeout;
    std::array<char, 64 * 1024> sink{};
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return false;
        boost::system::error_code result;
        bool completed = run_op(
            [&](bool& done) {
                socket_.async_read_some(asio::buffer(sink), [&](boost::system::error_code ec, std::size_t) {
                    result = ec;
                    done = true;
                });
            },
            left);
        if (!completed) return false;
        if (result) return true;  // eof, connection_reset...
    }
}

std::string get_request(std::string_view target, std::string_view extra_headers) {
    std::string request = "GET ";
    request.append(target).append(" HTTP/1.1\r\nHost: localhost\r\n").append(extra_headers).append("\r\n");
    return request;
}

std::string post_request(std::string_view target, std::string_view body, std::string_view content_type,
                         std::string_view extra_headers) {
    std::string request = "POST ";
    request.append(target).append(" HTTP/1.1\r\nHost: localhost\r\n");
    if (!content_type.empty()) request.append("Content-Type: ").append(content_type).append("\r\n");
    request.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n");
    request.append(extra_headers).append("\r\n").append(body);
    return request;
}

}  // namespace inbox::http::testing
