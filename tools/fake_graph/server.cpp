#include "fake_graph/server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

#include "fake_graph/router.hpp"
#include "fake_graph/session.hpp"
#include "fake_graph/tls.hpp"

namespace fake_graph {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

std::string host_port(const std::string& host, std::uint16_t port) {
    const bool ipv6 = host.find(':') != std::string::npos;
    return (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

}  // namespace

struct Server::Impl {
    // Declaration order is destruction order in reverse: the io_context (and the session coroutines it still
    // owns) goes first, before the router, state and TLS context that sessions refer to.
    ServerOptions options;
    State state;
    std::optional<asio::ssl::context> tls;
    std::optional<Router> router;
    std::optional<SessionContext> session_context;
    asio::io_context ioc;
    tcp::acceptor acceptor{ioc};
    std::vector<std::thread> threads;
    std::uint16_t port = 0;

    explicit Impl(ServerOptions opts) : options(std::move(opts)), state(options.config) {}

    asio::awaitable<void> accept_loop() {
        for (;;) {
            // Each connection gets its own strand: the stream's timer and I/O completions must not race.
            const asio::any_io_executor strand = asio::make_strand(ioc);
            auto [ec, socket] = co_await acceptor.async_accept(strand, asio::as_tuple(asio::use_awaitable));
            if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
            if (ec) {  // e.g. out of file descriptors: back off instead of spinning
                asio::steady_timer pause(co_await asio::this_coro::executor, std::chrono::milliseconds(20));
                co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
                continue;
            }
            state.count_connection();
            if (tls) {
                asio::co_spawn(strand, serve_tls(std::move(socket), *tls, *session_context), asio::detached);
            } else {
                asio::co_spawn(strand, serve_plain(std::move(socket), *session_context), asio::detached);
            }
        }
    }
};

Server::Server(ServerOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {
    auto& impl = *impl_;
    const auto& opts = impl.options;
    if (opts.tls_cert_file.empty() != opts.tls_key_file.empty()) {
        throw std::invalid_argument("--tls-cert and --tls-key go together");
    }
    if (!opts.tls_cert_file.empty()) impl.tls.emplace(make_server_tls_context(opts.tls_cert_file, opts.tls_key_file));

    boost::system::error_code ec;
    const auto address = asio::ip::make_address(opts.host, ec);
    if (ec) throw std::invalid_argument("--host must be an IP address, got '" + opts.host + "'");
    const tcp::endpoint endpoint(address, opts.port);
    impl.acceptor.open(endpoint.protocol());
    impl.acceptor.set_option(tcp::acceptor::reuse_address(true));
    impl.acceptor.bind(endpoint, ec);
    if (ec) throw std::runtime_error("cannot listen on " + host_port(opts.host, opts.port) + ": " + ec.message());
    impl.acceptor.listen(asio::socket_base::max_listen_connections);
    impl.port = impl.acceptor.local_endpoint().port();

    impl.router.emplace(impl.state, impl.tls ? "https" : "http", host_port(opts.host, impl.port));
    impl.session_context.emplace(SessionContext{*impl.router, impl.state});
    asio::co_spawn(asio::make_strand(impl.ioc), impl.accept_loop(), asio::detached);
    for (int i = 0; i < std::max(1, opts.threads); ++i) {
        impl.threads.emplace_back([&impl] { impl.ioc.run(); });
    }
}

Server::~Server() { stop(); }

std::uint16_t Server::port() const { return impl_->port; }

std::string Server::base_url() const {
    return std::string(impl_->tls ? "https" : "http") + "://" + host_port(impl_->options.host, impl_->port);
}

State& Server::state() { return impl_->state; }

void Server::stop() {
    impl_->ioc.stop();
    for (auto& thread : impl_->threads) {
        if (thread.joinable()) thread.join();
    }
    impl_->threads.clear();
}

}  // namespace fake_graph
