// A request with a bounded in-memory response body.
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include "connection_impl.hpp"
#include "wire.hpp"

namespace inbox::graph {
namespace {

namespace http = beast::http;

template <typename Stream>
asio::awaitable<ExchangeOutcome> exchange_on(Stream& stream, beast::tcp_stream& tcp, const RequestSpec& spec,
                                             Deadline deadline, std::size_t max_body_bytes) {
    auto request = build_request(spec);
    tcp.expires_at(deadline);
    auto [write_ec, written] = co_await http::async_write(stream, request, kTuple);
    if (write_ec) throw_transfer_error(write_ec, true, "writing the request");

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
