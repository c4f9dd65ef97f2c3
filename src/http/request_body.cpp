#include "request_body.hpp"

#include "inbox/http/api_error.hpp"

#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>

namespace inbox::http::server_detail {

ConnectionBodyReader::ConnectionBodyReader(beast::tcp_stream& stream, beast::flat_buffer& buffer,
                                           beast_http::request_parser<beast_http::string_body>&& header_parser,
                                           std::size_t limit, std::chrono::milliseconds body_timeout)
    : stream_(stream),
      buffer_(buffer),
      parser_(std::make_unique<beast_http::request_parser<beast_http::buffer_body>>(std::move(header_parser))),
      limit_(limit),
      body_timeout_(body_timeout) {
    if (auto length = parser_->content_length()) content_length_ = *length;
    parser_->body_limit(limit_);
}

boost::asio::awaitable<std::size_t> ConnectionBodyReader::read_some(std::span<char> into) {
    // A read may parse only framing (a chunk header) and deliver no byte: read until bytes come or the body ends.
    while (!parser_->is_done() && !into.empty()) {
        auto& body = parser_->get().body();
        body.data = into.data();
        body.size = into.size();
        body.more = true;
        stream_.expires_after(body_timeout_);
        auto [ec, ignored] = co_await beast_http::async_read_some(stream_, buffer_, *parser_, kTuple);
        const auto got = into.size() - body.size;
        if (ec == beast_http::error::need_buffer) ec = {};
        if (ec == beast_http::error::body_limit) {
            throw ApiError{Status::payload_too_large, "payload_too_large",
                           "request body exceeds " + std::to_string(limit_) + " bytes"};
        }
        if (ec) throw ApiError::bad_request("the request body could not be read: " + ec.message());
        if (got > 0) co_return got;
    }
    co_return 0;
}

}  // namespace inbox::http::server_detail
