#include "loadgen/connection.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

namespace inbox::loadgen {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;

constexpr auto kTuple = net::as_tuple(net::use_awaitable);
constexpr std::uint64_t kMaxResponseBody = 64ull * 1024 * 1024;
constexpr std::size_t kReadBufferBytes = 64 * 1024;

ErrorKind classify(const boost::system::error_code& ec) {
    if (ec == beast::error::timeout) return ErrorKind::timeout;
    if (ec == http::error::end_of_stream) return ErrorKind::reset;
    if (ec.category() == http::make_error_code(http::error::bad_version).category()) return ErrorKind::protocol;
    return ErrorKind::reset;  // connection reset, broken pipe, eof mid-message
}

}  // namespace

Connection::Connection(net::io_context& io, ConnectionContext& context)
    : context_(context), strand_(net::make_strand(io)), stream_(strand_), wake_(strand_) {
    // Beast reads at most the buffer's free capacity, and an empty flat_buffer starts at 512 bytes: without room
    // up front, a 25 KiB inbox page costs ~50 recv calls and the generator, not the server, becomes the limit.
    buffer_.reserve(kReadBufferBytes);
}

void Connection::deliver(std::optional<PendingRequest> request) {
    net::post(strand_, [this, request = std::move(request)]() mutable {
        delivered_ = std::move(request);
        wake_.cancel();
    });
}

void Connection::stop() {
    net::post(strand_, [this] {
        stopping_ = true;
        close();
        wake_.cancel();
    });
}

void Connection::close() {
    boost::system::error_code ignored;
    stream_.socket().shutdown(net::ip::tcp::socket::shutdown_both, ignored);
    stream_.close();
    buffer_.clear();
}

void Connection::fail(const PendingRequest& request, ErrorKind kind) {
    context_.recorder.on_error(request.endpoint, request.scheduled, stopping_ ? ErrorKind::unfinished : kind);
    close();
}

net::awaitable<void> Connection::run() {
    for (;;) {
        Dispatcher::Take take = context_.dispatcher.take_or_wait(*this);
        if (take.state == Dispatcher::TakeState::closed) break;
        if (take.state == Dispatcher::TakeState::wait) {
            // deliver() or stop() cancels the wait; it was registered before this suspension point.
            wake_.expires_at(TimePoint::max());
            co_await wake_.async_wait(kTuple);
            if (!delivered_) break;
            take.request = std::move(delivered_);
            delivered_.reset();
        }
        co_await execute(*take.request);
    }
    close();
}

net::awaitable<boost::system::error_code> Connection::connect() {
    if (stream_.socket().is_open()) co_return boost::system::error_code{};
    stream_.expires_after(context_.timeout);
    auto [ec] = co_await stream_.async_connect(context_.endpoint, kTuple);
    if (ec) {
        close();
        co_return ec;
    }
    stream_.socket().set_option(net::ip::tcp::no_delay(true));
    co_return ec;
}

net::awaitable<void> Connection::execute(PendingRequest& request) {
    if (stopping_) {
        fail(request, ErrorKind::unfinished);
        co_return;
    }
    if (const auto connect_ec = co_await connect()) {
        fail(request, ErrorKind::connect);
        co_return;
    }

    const TimePoint sent = Clock::now();
    const TimePoint deadline = sent + context_.timeout;
    stream_.expires_at(deadline);
    auto [write_ec, written] = co_await net::async_write(stream_, net::buffer(request.wire), kTuple);
    if (write_ec) {
        fail(request, classify(write_ec));
        co_return;
    }

    http::response_parser<http::string_body> parser;  // a fresh parser per message
    parser.body_limit(kMaxResponseBody);
    if (request.wire.starts_with("HEAD ")) parser.skip(true);
    stream_.expires_at(deadline);
    auto [read_ec, read] = co_await http::async_read(stream_, buffer_, parser, kTuple);
    if (read_ec) {
        fail(request, classify(read_ec));
        co_return;
    }

    const TimePoint completed = Clock::now();
    context_.recorder.on_response(request.endpoint, RequestTiming{request.scheduled, sent, completed},
                                  parser.get().result_int());
    if (!parser.get().keep_alive()) close();
}

}  // namespace inbox::loadgen
