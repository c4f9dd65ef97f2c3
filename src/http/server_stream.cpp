#include "server_stream.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/chunk_encode.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/write.hpp>

#include <atomic>
#include <tuple>

namespace inbox::http::server_detail {
namespace {

// The StreamWriter of a streamed response: chunked transfer coding on HTTP/1.1, raw bytes until close on 1.0.
class ConnectionStreamWriter final : public StreamWriter,
                                     public std::enable_shared_from_this<ConnectionStreamWriter> {
public:
    // Holds the connection (and the server state) so a wake() or abort() posted late never meets a dead stream.
    ConnectionStreamWriter(std::shared_ptr<Connection> connection, bool chunked, std::chrono::milliseconds write_timeout,
                           std::shared_ptr<Server::State> state)
        : connection_(std::move(connection)), stream_(connection_->stream), timer_(stream_.get_executor()),
          chunked_(chunked), write_timeout_(write_timeout), state_(std::move(state)) {}

    asio::awaitable<bool> write(std::string data) override {
        if (aborted_) co_return false;
        if (data.empty()) co_return true;
        stream_.expires_after(write_timeout_);
        beast::error_code ec;
        std::size_t written = 0;
        if (chunked_) {
            std::tie(ec, written) = co_await asio::async_write(stream_, beast_http::make_chunk(asio::buffer(data)), kTuple);
        } else {
            std::tie(ec, written) = co_await asio::async_write(stream_, asio::buffer(data), kTuple);
        }
        bytes_ += written;
        co_return !ec;
    }

    asio::awaitable<void> wait(std::chrono::milliseconds timeout) override {
        if (woken_.exchange(false)) co_return;  // a wake() that came while nobody waited is not lost
        timer_.expires_after(timeout);
        co_await timer_.async_wait(kTuple);
        woken_ = false;
    }

    void wake() override {
        woken_ = true;
        // The timer belongs to the connection's strand; the cancel runs there.
        asio::post(timer_.get_executor(), [weak = weak_from_this()] {
            if (auto self = weak.lock()) self->timer_.cancel();
        });
    }

    void abort() override {
        asio::post(timer_.get_executor(), [weak = weak_from_this()] {
            if (auto self = weak.lock()) {
                self->aborted_ = true;
                self->timer_.cancel();
                beast::error_code ignored;
                self->stream_.socket().close(ignored);
            }
        });
    }

    bool closing() const override { return state_->draining; }

    asio::awaitable<void> finish() {
        if (!chunked_ || aborted_) co_return;
        stream_.expires_after(write_timeout_);
        auto [ec, written] = co_await asio::async_write(stream_, beast_http::make_chunk_last(), kTuple);
        bytes_ += written;
    }

    std::size_t bytes() const noexcept { return bytes_; }

private:
    std::shared_ptr<Connection> connection_;
    beast::tcp_stream& stream_;
    asio::steady_timer timer_;
    bool chunked_;
    std::chrono::milliseconds write_timeout_;
    std::shared_ptr<Server::State> state_;
    std::atomic<bool> woken_{false};
    bool aborted_ = false;  // strand only
    std::size_t bytes_ = 0;
};

}  // namespace

asio::awaitable<void> serve_stream(std::shared_ptr<Server::State> state, std::shared_ptr<Connection> connection,
                                   Request& request, Response& response,
                                   std::chrono::steady_clock::time_point started) {
    auto& stream = connection->stream;
    bool chunked = request.message.version() != 10;
    beast_http::response<beast_http::empty_body> head;
    head.base() = response.message.base();
    head.version(chunked ? 11 : 10);
    head.set("X-Request-Id", request.request_id);
    head.keep_alive(false);
    head.chunked(chunked);
    beast_http::response_serializer<beast_http::empty_body> serializer(head);
    stream.expires_after(state->options.write_timeout);
    auto [ec, header_bytes] = co_await beast_http::async_write_header(stream, serializer, kTuple);
    std::size_t bytes = header_bytes;
    if (!ec && request.method() != Verb::head) {  // HEAD: the header, then the close ends an empty body
        auto writer = std::make_shared<ConnectionStreamWriter>(connection, chunked, state->options.write_timeout, state);
        connection->streaming = writer;
        co_await response.stream(writer);
        connection->streaming.reset();
        co_await writer->finish();
        bytes += writer->bytes();
    }
    state->dispatcher.record(request, head.result_int(), bytes, std::chrono::steady_clock::now() - started);
}

}  // namespace inbox::http::server_detail
