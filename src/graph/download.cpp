// A GET whose body is streamed in chunks (Beast buffer_body) into a BodySink: never the whole body in memory.
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <vector>

#include "body_sinks.hpp"
#include "connection_impl.hpp"
#include "wire.hpp"

namespace inbox::graph {
namespace {

namespace http = beast::http;

constexpr std::size_t kChunkBytes = 64 * 1024;
constexpr std::size_t kErrorBodyLimit = 64 * 1024;

using Parser = http::response_parser<http::buffer_body>;

// One chunk into the sink, on a file thread when there is one (the chunk's buffer stays untouched meanwhile).
asio::awaitable<detail::Nothing> consume_on(FileThreads& threads, BodySink& sink, std::string_view chunk) {
    return threads.run([&sink, chunk] { sink.consume(chunk); });
}

template <typename Stream>
asio::awaitable<void> read_body(Stream& stream, beast::tcp_stream& tcp, beast::flat_buffer& buffer, Parser& parser,
                                Deadline deadline, BodySink& sink, FileThreads* file_threads) {
    std::vector<char> chunk(kChunkBytes);
    while (!parser.is_done()) {
        parser.get().body().data = chunk.data();
        parser.get().body().size = chunk.size();
        tcp.expires_at(deadline);
        auto [ec, n] = co_await http::async_read(stream, buffer, parser, kTuple);
        if (ec == http::error::need_buffer) ec = {};  // the chunk is full: consume it and go on
        if (ec) throw_transfer_error(ec, false, "reading the download");
        const std::string_view filled(chunk.data(), chunk.size() - parser.get().body().size);
        if (file_threads) {
            co_await consume_on(*file_threads, sink, filled);
        } else {
            sink.consume(filled);
        }
    }
}

template <typename Stream>
asio::awaitable<DownloadOutcome> download_on(Stream& stream, beast::tcp_stream& tcp, const RequestSpec& spec,
                                             Deadline deadline, const std::string& path, std::uint64_t max_bytes,
                                             FileThreads* file_threads) {
    auto request = build_request(spec);
    tcp.expires_at(deadline);
    auto [write_ec, written] = co_await http::async_write(stream, request, kTuple);
    if (write_ec) throw_transfer_error(write_ec, true, "writing the request");

    beast::flat_buffer buffer;
    Parser parser;
    parser.header_limit(kResponseHeaderLimit);
    parser.body_limit(boost::none);  // the sinks enforce the limits (the default would be 8 MiB)
    tcp.expires_at(deadline);
    auto [header_ec, header_bytes] = co_await http::async_read_header(stream, buffer, parser, kTuple);
    if (header_ec) {
        throw_transfer_error(header_ec, !parser.got_some() && buffer.size() == 0, "reading the response header");
    }

    DownloadOutcome outcome;
    outcome.result.status = parser.get().result_int();
    outcome.result.content_type = std::string(parser.get()[http::field::content_type]);
    if (outcome.result.status == 200) {
        if (parser.content_length() && *parser.content_length() > max_bytes) {
            throw HttpError(HttpErrorKind::too_large, "download of " + std::to_string(*parser.content_length()) +
                                                          " bytes exceeds " + std::to_string(max_bytes));
        }
        FileSink file(path, max_bytes);
        co_await read_body(stream, tcp, buffer, parser, deadline, file, file_threads);
        outcome.result.sha256_hex = file.commit();
        outcome.result.bytes = file.bytes();
    } else {
        StringSink error_body(kErrorBodyLimit);
        co_await read_body(stream, tcp, buffer, parser, deadline, error_body, nullptr);
        outcome.result.error_body = std::move(error_body.text());
    }
    outcome.reusable = parser.keep_alive() && buffer.size() == 0;
    co_return outcome;
}

}  // namespace

asio::awaitable<DownloadOutcome> download(Connection& connection, const RequestSpec& spec, Deadline deadline,
                                          const std::string& path, std::uint64_t max_bytes, FileThreads* file_threads) {
    if (connection.secure) {
        co_return co_await download_on(*connection.secure, connection.tcp(), spec, deadline, path, max_bytes,
                                       file_threads);
    }
    co_return co_await download_on(*connection.plain, connection.tcp(), spec, deadline, path, max_bytes,
                                   file_threads);
}

}  // namespace inbox::graph
