// A request (its body in memory or streamed from a file) with a bounded in-memory response body.
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/write.hpp>

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <system_error>
#include <vector>

#include "inbox/util/open_file.hpp"

#include "connection_impl.hpp"
#include "wire.hpp"

namespace inbox::graph {
namespace {

namespace http = beast::http;

// The header with the whole body's Content-Length, then the prefix, the file in 64 KiB pieces and the suffix. A file
// shorter than announced fails the request (the server would wait for the missing bytes).
template <typename Stream>
asio::awaitable<void> write_file_body(Stream& stream, beast::tcp_stream& tcp, const RequestSpec& spec,
                                      const FileBodyPart& part, Deadline deadline) {
    auto head = build_request_header(spec, part.prefix.size() + part.size + part.suffix.size());
    http::request_serializer<http::empty_body> serializer(head);
    tcp.expires_at(deadline);
    auto [header_ec, header_bytes] = co_await http::async_write_header(stream, serializer, kTuple);
    if (header_ec) throw_transfer_error(header_ec, true, "writing the request");
    auto file = OpenFile::read_only(part.path);
    if (!file) throw std::system_error(errno, std::generic_category(), "cannot open " + part.path + " to send it");
    auto [prefix_ec, prefix_bytes] = co_await asio::async_write(stream, asio::buffer(part.prefix), kTuple);
    if (prefix_ec) throw_transfer_error(prefix_ec, false, "writing the request body");
    std::vector<char> chunk(64 * 1024);
    for (std::uint64_t offset = 0; offset < part.size;) {
        const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(part.size - offset, chunk.size()));
        const auto got = ::pread(file.fd(), chunk.data(), want, static_cast<off_t>(offset));
        if (got <= 0) throw std::system_error(EIO, std::generic_category(), part.path + " is shorter than announced");
        auto [chunk_ec, chunk_bytes] =
            co_await asio::async_write(stream, asio::buffer(chunk.data(), static_cast<std::size_t>(got)), kTuple);
        if (chunk_ec) throw_transfer_error(chunk_ec, false, "writing the request body");
        offset += static_cast<std::uint64_t>(got);
    }
    auto [suffix_ec, suffix_bytes] = co_await asio::async_write(stream, asio::buffer(part.suffix), kTuple);
    if (suffix_ec) throw_transfer_error(suffix_ec, false, "writing the request body");
}

template <typename Stream>
asio::awaitable<ExchangeOutcome> exchange_on(Stream& stream, beast::tcp_stream& tcp, const RequestSpec& spec,
                                             Deadline deadline, std::size_t max_body_bytes) {
    if (spec.file_body) {
        co_await write_file_body(stream, tcp, spec, *spec.file_body, deadline);
    } else {
        auto request = build_request(spec);
        tcp.expires_at(deadline);
        auto [write_ec, written] = co_await http::async_write(stream, request, kTuple);
        if (write_ec) throw_transfer_error(write_ec, true, "writing the request");
    }

    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;  // a new parser per message
    parser.header_limit(kResponseHeaderLimit);
    parser.body_limit(max_body_bytes);
    if (spec.method == "HEAD") parser.skip(true);
    tcp.expires_at(deadline);
    auto [read_ec, read] = co_await http::async_read(stream, buffer, parser, kTuple);
    if (read_ec) throw_transfer_error(read_ec, !parser.got_some() && buffer.size() == 0, "reading the response");

    ExchangeOutcome outcome;
    outcome.reusable = parser.keep_alive() && buffer.size() == 0;
    auto message = parser.release();
    outcome.response.status = message.result_int();
    outcome.response.content_type = std::string(message[http::field::content_type]);
    outcome.response.retry_after = retry_after_of(message);
    outcome.response.body = std::move(message.body());
    co_return outcome;
}

}  // namespace

asio::awaitable<ExchangeOutcome> exchange(Connection& connection, const RequestSpec& spec, Deadline deadline,
                                          std::size_t max_body_bytes) {
    if (connection.secure)
        co_return co_await exchange_on(*connection.secure, connection.tcp(), spec, deadline, max_body_bytes);
    co_return co_await exchange_on(*connection.plain, connection.tcp(), spec, deadline, max_body_bytes);
}

}  // namespace inbox::graph
