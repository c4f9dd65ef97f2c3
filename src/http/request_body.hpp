#pragma once
// The BodyReader of a streamed-body route: reads the body from the connection as the handler asks for it, through
// Beast's buffer_body parser (taken over from the header parser), each read under the body timeout. Internal to
// src/http/.
#include "server_state.hpp"

#include "inbox/http/body_reader.hpp"

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <memory>

namespace inbox::http::server_detail {

class ConnectionBodyReader final : public BodyReader {
public:
    // `header_parser` has read the header only. The stream and buffer outlive the request.
    ConnectionBodyReader(beast::tcp_stream& stream, beast::flat_buffer& buffer,
                         beast_http::request_parser<beast_http::string_body>&& header_parser, std::size_t limit,
                         std::chrono::milliseconds body_timeout);

    boost::asio::awaitable<std::size_t> read_some(std::span<char> into) override;
    std::optional<std::uint64_t> content_length() const override { return content_length_; }
    bool done() const override { return parser_->is_done(); }

private:
    beast::tcp_stream& stream_;
    beast::flat_buffer& buffer_;
    std::unique_ptr<beast_http::request_parser<beast_http::buffer_body>> parser_;
    std::size_t limit_;
    std::chrono::milliseconds body_timeout_;
    std::optional<std::uint64_t> content_length_;
};

}  // namespace inbox::http::server_detail
